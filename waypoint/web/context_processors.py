from django.http import HttpRequest

from waypoint.accounts.policy import Permission, can


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "nav": {
            permission.value: can(user, permission)
            for permission in (
                Permission.VIEW_AUDIT_TRAIL,
                Permission.MANAGE_USERS,
                Permission.SCREEN_ANONYMOUSLY,
                Permission.VIEW_PERSONAL_DATA,
                Permission.VIEW_AGGREGATES,
            )
        }
    }
