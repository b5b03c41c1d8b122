from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "waypoint.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from waypoint.accounts import signals  # noqa: F401  (connects the login audit receivers)
