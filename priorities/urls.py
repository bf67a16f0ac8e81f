from django.urls import path

from . import views

app_name = "priorities"
urlpatterns = [
    path("", views.current_cycle, name="current"),
    # Open data next to the cycle's page: /da/prioriteter/2022-2025.json (schema in README).
    path("<slug:cycle>.json", views.cycle_json, name="cycle_json"),
    path("<slug:cycle>.csv", views.cycle_csv, name="cycle_csv"),
    path("<slug:cycle>/", views.cycle_detail, name="cycle"),
    path("<slug:cycle>/<slug:slug>/", views.priority_detail, name="priority"),
]
