import pytest

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/priorities/policycycle/",
    "/admin/priorities/priority/",
    "/admin/cycle/cyclestep/",
    "/admin/articles/article/",
    "/admin/articles/sitedetails/",
]


@pytest.mark.parametrize("url", CHANGELISTS)
def test_staff_can_open_every_content_list_and_record(admin_client, content, url):
    response = admin_client.get(url)

    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert admin_client.get(f"{url}{first.pk}/change/").status_code == 200
