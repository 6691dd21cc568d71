"""A module that exists only in tests/registry_sample/settings.py: the registry must wire it everywhere."""
from jiceng.core.modules import ApiMount, DemoStep, Job, MenuEntry, Module, Panel, PublicNotice, UrlMount

module = Module(
    label="registry_sample",
    name="样例模块",
    urls=[UrlMount("sample/", "tests.registry_sample.urls"),
          UrlMount("public/sample/<str:code>/", view="tests.registry_sample.views:public", name="registry_sample_public")],
    api=[ApiMount("/sample", "tests.registry_sample.api:router")],
    menu=[MenuEntry("样例菜单", "registry_sample:index", "tests.registry_sample.views:always", order=95)],
    demo=DemoStep(build="tests.registry_sample.views:demo_build", after=("people",),
                  summary="tests.registry_sample.views:demo_summary"),
    jobs=[Job("registry_sample.tick", {"minute": "*/7"}, "tests.registry_sample.views:tick", "样例任务")],
    panels=[Panel("household", "registry_sample/_panel.html", "tests.registry_sample.views:panel")],
    notices=[PublicNotice("registry_sample.board", "样例公开", "registry_sample_public")],
)
