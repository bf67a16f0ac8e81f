"""schema.org data for search engines (JSON-LD): the organisation, articles, breadcrumbs."""

from django.conf import settings
from django.templatetags.static import static

SHARE_IMAGE = "img/share.png"


def absolute(path):
    return settings.SITE_URL + path


def organization(site):
    contact = {"@type": "ContactPoint", "contactType": "customer service"}
    if site.phone:
        contact["telephone"] = site.phone.replace(" ", "")
    if site.email:
        contact["email"] = site.email
    contact["availableLanguage"] = ["da", "en"]
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site.company_name,
        "url": settings.SITE_URL + "/",
        "logo": absolute(static(SHARE_IMAGE)),
        "contactPoint": [contact],
    }


def article(article, *, site, language):
    publisher = {
        "@type": "Organization",
        "name": site.company_name,
        "logo": {"@type": "ImageObject", "url": absolute(static(SHARE_IMAGE))},
    }
    image = article.image.url if article.image else static(SHARE_IMAGE)
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.page_description,
        "inLanguage": language,
        "dateModified": article.updated_at.isoformat(),
        "author": {"@type": "Organization", "name": site.company_name},
        "publisher": publisher,
        "image": [absolute(image)],
        "mainEntityOfPage": absolute(article.get_absolute_url()),
    }
    # No date is better than a made-up one: until staff set it, the article has none.
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    return data


def breadcrumbs(trail):
    """trail: [(name, path), ...] from the home page down to this page."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": str(name), "item": absolute(path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }
