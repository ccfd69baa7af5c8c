# Shared by every language: names that are not translated.
site-name = Relais
