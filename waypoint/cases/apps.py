from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "waypoint.cases"
    verbose_name = _("Protection cases")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from waypoint.cases import documents, services
        from waypoint.cases.models import Document
        from waypoint.people.models import Person
        from waypoint.people.services import person_erased

        person_erased.connect(
            documents.blank_document_fingerprints,
            sender=Person,
            dispatch_uid="cases.blank_document_fingerprints",
        )
        post_delete.connect(
            services.delete_document_file,
            sender=Document,
            dispatch_uid="cases.delete_document_file",
        )
