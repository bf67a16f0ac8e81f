from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles and site details")

    def ready(self):
        from simple_history import register

        from .models import Article, RelatedLink, SiteDetails

        # After modeltranslation has added the _da and _en fields (see priorities.apps).
        for model in (Article, RelatedLink, SiteDetails):
            register(model, app=self.label)
