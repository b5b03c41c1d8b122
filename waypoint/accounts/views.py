"""Sign-in, second factor, personal security settings and the organisation's user list."""

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts import selectors, services
from waypoint.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    NewUserForm,
    OneTimeCodeForm,
    UserAccessForm,
)
from waypoint.accounts.interface import signed_in_user
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import Permission, authorize, second_factor_passed
from waypoint.audit.services import actor_from_request


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not selectors.has_confirmed_authenticator(user):
        return redirect("accounts:two_factor_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        any_device_allowed = False
        for device in (
            *TOTPDevice.objects.filter(user=user, confirmed=True),
            *StaticDevice.objects.filter(user=user, confirmed=True),
        ):
            allowed = device.verify_is_allowed()[0]
            any_device_allowed = any_device_allowed or allowed
            if allowed and device.verify_token(code):
                django_otp.login(request, device)
                services.record_second_factor(
                    actor_from_request(request),
                    succeeded=True,
                    device_kind="recovery_code" if isinstance(device, StaticDevice) else "totp",
                )
                if isinstance(device, StaticDevice):
                    messages.warning(
                        request,
                        _("You used a recovery code; %(count)s remain.")
                        % {"count": selectors.remaining_recovery_codes(user)},
                    )
                return redirect("web:dashboard")
        services.record_second_factor(
            actor_from_request(request), succeeded=False, device_kind="any"
        )
        form.add_error(
            "code",
            _("After a wrong code, wait a few seconds before the next try.")
            if not any_device_allowed
            else _("The code is not valid or has expired. Try the newest code."),
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.has_confirmed_authenticator(user) and not second_factor_passed(user):
        return redirect("accounts:two_factor_verify")
    actor = actor_from_request(request)
    device = services.start_totp_setup(actor, user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_device(actor, device, form.cleaned_data["code"])
        if codes is not None:
            django_otp.login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("The code is not valid or has expired. Try the newest code."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret},
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "tokens": selectors.tokens_of(user),
            "token_form": ApiTokenForm(),
            "has_authenticator": selectors.has_confirmed_authenticator(user),
            "recovery_codes_left": selectors.remaining_recovery_codes(user),
        },
    )


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/security.html",
            {
                "tokens": selectors.tokens_of(user),
                "token_form": form,
                "has_authenticator": selectors.has_confirmed_authenticator(user),
                "recovery_codes_left": selectors.remaining_recovery_codes(user),
            },
            status=400,
        )
    issued = services.issue_api_token(
        actor_from_request(request),
        user,
        name=form.cleaned_data["name"],
        days=form.cleaned_data["days"],
    )
    return render(request, "accounts/token_created.html", {"issued": issued})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    services.revoke_api_token(
        actor_from_request(request), signed_in_user(request), token_id=token_id
    )
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:security")


@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = services.regenerate_recovery_codes(actor_from_request(request), signed_in_user(request))
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def end_all_sessions(request: HttpRequest) -> HttpResponse:
    services.end_all_sessions(actor_from_request(request), signed_in_user(request))
    logout(request)
    messages.info(request, _("You are signed out on every device."))
    return redirect("accounts:login")


@login_required
def users(request: HttpRequest) -> HttpResponse:
    admin = signed_in_user(request)
    actor = actor_from_request(request)
    authorize(actor, admin, Permission.MANAGE_USERS, object_type="user")
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                actor,
                admin,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=Role(data["role"]),
                password=data["password"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            messages.success(
                request, _("%(username)s can now sign in.") % {"username": created.username}
            )
            return redirect("accounts:users")
    return render(
        request,
        "accounts/users.html",
        {"users": selectors.users_of_organisation(admin.organisation_id), "form": form},
        status=400 if form.errors else 200,
    )


def _managed_user(request: HttpRequest, user_id: int) -> tuple[User, User]:
    admin = signed_in_user(request)
    authorize(
        actor_from_request(request),
        admin,
        Permission.MANAGE_USERS,
        object_type="user",
        object_id=user_id,
    )
    target = selectors.user_by_id(user_id)
    if target is None:
        raise Http404
    authorize(
        actor_from_request(request),
        admin,
        Permission.MANAGE_USERS,
        target,
        object_type="user",
        object_id=user_id,
    )
    return admin, target


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    admin, target = _managed_user(request, user_id)
    form = UserAccessForm(
        request.POST or None, initial={"role": target.role, "is_active": target.is_active}
    )
    if request.method == "POST" and form.is_valid():
        if target.pk == admin.pk and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot disable your own account."))
        else:
            services.update_user_access(
                actor_from_request(request),
                admin,
                target,
                role=Role(form.cleaned_data["role"]),
                is_active=form.cleaned_data["is_active"],
            )
            messages.success(request, _("The account was updated."))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def user_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    admin, target = _managed_user(request, user_id)
    services.reset_two_factor(actor_from_request(request), admin, target)
    messages.success(
        request,
        _("%(username)s must set up an authenticator at the next sign-in.")
        % {"username": target.username},
    )
    return redirect("accounts:users")


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    authorize(
        actor_from_request(request),
        signed_in_user(request),
        Permission.VIEW_ORGANISATION,
        organisation,
        object_type="organisation",
        object_id=organisation_id,
    )
    return render(
        request,
        "accounts/organisation.html",
        {"organisation": organisation, "members": selectors.role_counts(organisation_id)},
    )
