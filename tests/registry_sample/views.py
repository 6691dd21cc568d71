from django.http import HttpResponse

from jiceng.core.scope import scope_safe


def always(user) -> bool:
    return True


@scope_safe
def index(request):
    return HttpResponse("样例")


def demo_build(run) -> dict:
    return {"households_seen": run.built["people"].stats["households"]}


def demo_summary(stats) -> str:
    return f"样例看到 {stats['households_seen']} 户"


def tick() -> str:
    return "tick"


def panel(request, household) -> dict:
    return {"household": household}


@scope_safe
def public(request, code):
    return HttpResponse(f"样例公开 {code}")
