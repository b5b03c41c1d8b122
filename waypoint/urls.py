from django.urls import include, path
from django.views.i18n import set_language

from waypoint.api import api
from waypoint.web import views as web_views

urlpatterns = [
    path("", include("waypoint.web.urls")),
    path("account/", include("waypoint.accounts.urls")),
    path("audit/", include("waypoint.audit.urls")),
    path("screening/", include("waypoint.screening.urls")),
    path("returns/", include("waypoint.returns.urls")),
    path("cases/", include("waypoint.cases.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("health", web_views.health, name="health"),
    path("api/v1/", api.urls),
]

handler400 = "waypoint.web.views.bad_request"
handler403 = "waypoint.web.views.permission_denied"
handler404 = "waypoint.web.views.page_not_found"
handler500 = "waypoint.web.views.server_error"
