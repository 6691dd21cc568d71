from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("settings/", views.programme_edit, name="programme_edit"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("households/<int:pk>/", views.household_points, name="household"),
    path("households/<int:pk>/record/", views.record, name="record"),
    path("households/<int:pk>/card/", views.card_issue_one, name="card_issue_one"),
    path("households/<int:pk>/entries/<int:seq>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("events/new/", views.event_create, name="event_create"),
    path("review/", views.review_list, name="review_list"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/photo/", views.declaration_photo, name="declaration_photo"),
    path("cards/", views.cards, name="cards"),
    path("cards/issue/", views.cards_issue, name="cards_issue"),
    path("cards/print/", views.cards_print, name="cards_print"),
    path("ratings/", views.ratings, name="ratings"),
    path("shops/", views.shop_list, name="shop_list"),
    path("shops/<int:pk>/counter/", views.counter, name="counter"),
    path("shops/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("shops/<int:pk>/receipts/<int:rid>/", views.receipt, name="receipt"),
    path("shops/<int:pk>/stock/", views.stock, name="stock"),
    path("shops/<int:pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("me/", views.my_points, name="my_points"),
    path("me/declare/", views.my_declare, name="my_declare"),
    path("me/shop/", views.my_shop, name="my_shop"),
]
