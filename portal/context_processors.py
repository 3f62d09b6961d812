from django.conf import settings


def portal(request):
    return {
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "idle_timeout": settings.PORTAL_IDLE_TIMEOUT,
        "idle_warning": settings.PORTAL_IDLE_WARNING,
        "clinic_phone": settings.PORTAL_CLINIC_PHONE,
        "clinic_address": settings.PORTAL_CLINIC_ADDRESS,
        # Whose chart this is (records.views.portal_allowed_required), shown only once the page's audit event is
        # committed (audit.log.record_view): never on a 503 after a failed audit write, nor on a 404.
        "patient_banner": getattr(request, "patient_banner", None) if getattr(request, "phi_audited", False)
        else None,
    }
