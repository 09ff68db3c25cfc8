"""The NIP as a model and a form field: people type "19660801 198803 1 001" or
"NIP. 19660801.198803.1.001"; the field stores the 18 digits."""

from django import forms
from django.db import models

from .validators import normalize_nip, validate_nip

# Long enough for the spaced and dotted forms people paste from letters.
TYPED_NIP_MAX_LENGTH = 32


class NipFormField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs["max_length"] = TYPED_NIP_MAX_LENGTH
        kwargs.setdefault("validators", [validate_nip])
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_nip(value) if value else value


class NipField(models.CharField):
    """Stores 18 digits; forms accept the usual typed forms and normalise them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_nip(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NipFormField, **kwargs})
