from modeltranslation.translator import translator


def content_models():
    """Every model with Danish and English fields that has its own page in the admin."""
    from django.contrib import admin

    return [
        model for model in translator.get_registered_models() if admin.site.is_registered(model)
    ]
