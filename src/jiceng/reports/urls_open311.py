from django.urls import path

from . import open311

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="open311_discovery"),
    path("services.<str:fmt>", open311.service_list, name="open311_services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="open311_service"),
    path("requests.<str:fmt>", open311.requests_view, name="open311_requests"),
    path("requests/<str:request_id>.<str:fmt>", open311.request_detail, name="open311_request"),
    path("tokens/<str:token>.<str:fmt>", open311.token_detail, name="open311_token"),
]
