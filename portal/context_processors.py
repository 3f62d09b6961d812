from django.conf import settings


def portal(request):
    return {
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "idle_timeout": settings.PORTAL_IDLE_TIMEOUT,
        "idle_warning": settings.PORTAL_IDLE_WARNING,
    }
