from django.urls import path

from waypoint.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("search/", views.search, name="search"),
    path("new/", views.open_case, name="open"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/details/", views.update_details, name="update_details"),
    path("<int:case_id>/person/", views.update_person, name="update_person"),
    path(
        "<int:case_id>/trafficking-status/",
        views.record_trafficking_status,
        name="trafficking_status",
    ),
    path("<int:case_id>/events/", views.add_event, name="add_event"),
    path("<int:case_id>/events/<int:event_id>/", views.update_event, name="event"),
    path("<int:case_id>/events/<int:event_id>/edit/", views.edit_event, name="edit_event"),
    path("<int:case_id>/events/<int:event_id>/remove/", views.remove_event, name="remove_event"),
    path("<int:case_id>/export/", views.export, name="export"),
    path("<int:case_id>/erase/", views.erase, name="erase"),
    path("<int:case_id>/screening/", views.screening, name="screening"),
    path("<int:case_id>/screening/compare/", views.compare_screenings, name="compare_screenings"),
    path("<int:case_id>/screening/save/", views.save_screening, name="save_screening"),
    path(
        "<int:case_id>/screening/<int:screening_id>/rescreen/",
        views.rescreen,
        name="rescreen",
    ),
    path("<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("<int:case_id>/plan/", views.plan, name="plan"),
    path("<int:case_id>/plan/<int:item_id>/", views.update_support_item, name="support_item"),
    path("<int:case_id>/consent/", views.consent, name="consent"),
    path("<int:case_id>/consent/withdraw/", views.withdraw_consent, name="withdraw_consent"),
    path("<int:case_id>/rights/", views.rights, name="rights"),
    path("<int:case_id>/rights/sheet/", views.rights_sheet, name="rights_sheet"),
    path("<int:case_id>/documents/", views.case_documents, name="documents"),
    path(
        "<int:case_id>/documents/<int:document_id>/",
        views.download_document,
        name="download_document",
    ),
    path(
        "<int:case_id>/documents/<int:document_id>/delete/",
        views.delete_document,
        name="delete_document",
    ),
    path("<int:case_id>/history/", views.history, name="history"),
    path("<int:case_id>/history/notes/", views.add_note, name="add_note"),
    path("<int:case_id>/history/status/", views.change_status, name="change_status"),
    path("<int:case_id>/history/decision/", views.decide_closure, name="decide_closure"),
    path("<int:case_id>/history/assignment/", views.reassign, name="reassign"),
]
