from django.urls import path

from waypoint.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("due/", views.due, name="due"),
]
