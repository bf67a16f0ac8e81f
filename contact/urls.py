from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "contact"
urlpatterns = [
    path("", views.contact, name="contact"),
    path(_("thanks/"), views.thanks, name="thanks"),
]
