from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("login/backup-code/", views.login_backup, name="login_backup"),
    path("login/reset-code/", views.reset_code, name="reset_code"),
    path("login/new-authenticator/", views.enrol, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("activate/", views.activate, name="activate"),
    path("activate/password/", views.activate_password, name="activate_password"),
    path("activate/authenticator/", views.activate_totp, name="activate_totp"),
    path("backup-codes/new/", views.backup_codes_new, name="backup_codes_new"),
    path("backup-codes/regenerate/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
    path("security/", views.security, name="security"),
    path("security/confirm-password/", views.confirm_password, name="confirm_password"),
    path("security/new-authenticator/", views.replace_authenticator, name="replace_authenticator"),
    path("password/", views.password_change, name="password_change"),
]
