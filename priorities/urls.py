from django.urls import path

from . import views

app_name = "priorities"
urlpatterns = [
    path("", views.current_cycle, name="current"),
    path("<slug:cycle>/", views.cycle_detail, name="cycle"),
    path("<slug:cycle>/<slug:slug>/", views.priority_detail, name="priority"),
]
