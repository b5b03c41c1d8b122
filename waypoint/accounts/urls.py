from django.urls import path

from waypoint.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("security/", views.security, name="security"),
    path("security/tokens/", views.create_token, name="create_token"),
    path("security/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("security/recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
    path("security/sign-out-everywhere/", views.end_all_sessions, name="end_all_sessions"),
    path(
        "organisation/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"
    ),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
]
