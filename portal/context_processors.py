from django.conf import settings


def portal(request):
    return {
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "idle_timeout": settings.PORTAL_IDLE_TIMEOUT,
        "idle_warning": settings.PORTAL_IDLE_WARNING,
        "clinic_phone": settings.PORTAL_CLINIC_PHONE,
        "clinic_address": settings.PORTAL_CLINIC_ADDRESS,
        # Set by records.views.portal_allowed_required on patient pages: whose chart this is.
        "patient_banner": getattr(request, "patient_banner", None),
    }
