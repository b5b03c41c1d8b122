from django.urls import path

from waypoint.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.start, name="start"),
    path("result/", views.result, name="result"),
]
