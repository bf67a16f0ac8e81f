"""Old addresses keep working: when a slug changes, the page's old URL in each language becomes a
permanent redirect (django.contrib.redirects, answered by its fallback middleware on a 404)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site


def record_moved_urls(old_urls, new_urls):
    """old_urls and new_urls: {language: path} of the same pages before and after a save."""
    site = Site.objects.get_current()
    for code, _name in settings.LANGUAGES:
        old, new = old_urls.get(code), new_urls.get(code)
        if not old or not new or old == new:
            continue
        # The new address is a real page again: it must not redirect anywhere.
        Redirect.objects.filter(site=site, old_path=new).delete()
        # Earlier redirects to the old address now lead straight to the new one, without a chain.
        Redirect.objects.filter(site=site, new_path=old).update(new_path=new)
        Redirect.objects.update_or_create(site=site, old_path=old, defaults={"new_path": new})


class KeepsOldUrls:
    """Model mixin: saving a changed slug records redirects from the URLs the page had.

    A model lists the pages whose URLs depend on it in `public_urls()` (a dict of
    {(key): {language: path}}); for a draft that the public never saw, it returns {}."""

    def save(self, *args, **kwargs):
        before = {}
        if self.pk is not None:
            old = type(self)._default_manager.filter(pk=self.pk).first()
            before = old.public_urls() if old is not None else {}
        super().save(*args, **kwargs)
        if before:
            after = self.public_urls()
            for key, old_urls in before.items():
                if key in after:
                    record_moved_urls(old_urls, after[key])
