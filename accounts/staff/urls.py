from django.urls import path

from accounts.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("accounts/", views.account_list, name="account_list"),
    path("patients/<int:pid>/", views.patient, name="patient"),
    path("patients/<int:pid>/issue/", views.issue, name="issue"),
    path("patients/<int:pid>/disable/", views.disable, name="disable"),
    path("patients/<int:pid>/enable/", views.enable, name="enable"),
    path("patients/<int:pid>/unlock/", views.unlock, name="unlock"),
    path("patients/<int:pid>/reset-second-factor/", views.reset_second_factor, name="reset_second_factor"),
    path("patients/<int:pid>/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
