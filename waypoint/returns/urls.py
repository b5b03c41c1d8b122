from django.urls import path

from waypoint.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.return_list, name="list"),
    path("new/", views.start, name="start"),
    path("programme/", views.programme, name="programme"),
    path("<int:return_id>/", views.detail, name="detail"),
    path("<int:return_id>/stage/", views.change_stage, name="change_stage"),
    path("<int:return_id>/attention/", views.acknowledge_attention, name="acknowledge_attention"),
    path("<int:return_id>/counselling/", views.counselling, name="counselling"),
    path("<int:return_id>/eligibility/", views.eligibility_check, name="eligibility"),
    path("<int:return_id>/declaration/", views.declaration, name="declaration"),
    path(
        "<int:return_id>/declaration/<int:declaration_id>/signed/",
        views.declaration_signed,
        name="declaration_signed",
    ),
    path(
        "<int:return_id>/declaration/<int:declaration_id>/pdf/",
        views.declaration_pdf,
        name="declaration_pdf",
    ),
    path("<int:return_id>/risk/", views.risk, name="risk"),
    path(
        "<int:return_id>/risk/<int:assessment_id>/decision/",
        views.risk_decision,
        name="risk_decision",
    ),
    path("<int:return_id>/travel/", views.travel, name="travel"),
    path("<int:return_id>/travel/documents/", views.travel_document_add, name="document_add"),
    path(
        "<int:return_id>/travel/documents/<int:document_id>/",
        views.travel_document_update,
        name="document_update",
    ),
    path("<int:return_id>/plan/", views.plan, name="plan"),
    path("<int:return_id>/plan/<int:item_id>/", views.assistance_status, name="assistance_status"),
    path(
        "<int:return_id>/plan/<int:item_id>/payments/",
        views.disbursement_add,
        name="disbursement_add",
    ),
    path("<int:return_id>/monitoring/", views.monitoring, name="monitoring"),
]
