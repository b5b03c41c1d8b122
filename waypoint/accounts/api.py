from django.http import Http404, HttpRequest
from ninja import Router, Schema

from waypoint.accounts.models import Organisation
from waypoint.accounts.policy import Permission, authorize, permissions_of
from waypoint.audit.services import actor_from_request

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country: str


class MeOut(Schema):
    username: str
    role: str
    organisation: OrganisationOut
    permissions: list[str]


@router.get("/me", response=MeOut, summary="Who the token belongs to")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "role": user.role,  # type: ignore[union-attr]
        "organisation": user.organisation,  # type: ignore[union-attr]
        "permissions": sorted(permissions_of(user.role)),  # type: ignore[union-attr]
    }


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    summary="An organisation's profile (your own only)",
)
def organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise Http404
    authorize(
        actor_from_request(request),
        request.user,
        Permission.VIEW_ORGANISATION,
        found,
        object_type="organisation",
        object_id=organisation_id,
    )
    return found
