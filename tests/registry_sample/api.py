from ninja import Router

router = Router(tags=["sample"])


@router.get("/ping", response={200: dict})
def ping(request):
    return {"pong": request.user.username}
