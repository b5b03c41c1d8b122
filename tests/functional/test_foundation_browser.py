"""A person signs in with a password and a TOTP code, reads the dashboard in Polish, and is
refused another organisation's page."""

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, add_authenticator, current_code


def test_sign_in_with_totp_switch_to_polish_and_be_refused_elsewhere(
    page: Page, live_server, alpha, beta, make_user
) -> None:
    user = make_user(alpha, "case_worker", username="anna")
    device = add_authenticator(user)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("The code is not valid or has expired")).to_be_visible()

    # django-otp makes the next try wait after a failure, as it would for an attacker.
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("wait a few seconds")).to_be_visible()
    page.wait_for_timeout(1500)

    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_label("Language").select_option("pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Pulpit")).to_be_visible()

    page.goto(f"{live_server.url}/account/organisation/{beta.pk}/")
    expect(page.get_by_role("heading", name="Odmowa dostępu")).to_be_visible()

    page.goto(f"{live_server.url}/account/organisation/{alpha.pk}/")
    expect(page.get_by_role("heading", name=alpha.name)).to_be_visible()
