"""Click's own words (usage, headings, standard errors) in Russian: users see no English."""

from __future__ import annotations

import importlib

RUSSIAN = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Справка: {command} {option}",
    "Aborted!": "Прервано.",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing command.": "Не указана команда.",
    "No such command {name!r}.": "Нет команды {name!r}.",
    "No such option {name!r}.": "Нет параметра {name!r}.",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значения.",
    "Invalid value for {param_hint}: {message}": "Неверное значение {param_hint}: {message}",
    "Invalid value: {message}": "Неверное значение: {message}",
    "Choose from:\n\t{choices}": "Выберите из:\n\t{choices}",
    "{value!r} is not {choice}.": "{value!r} не подходит, допустимо: {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} не подходит, допустимо одно из: {choices}.",
    "{value!r} is not a valid {number_type}.": "{value!r} — не {number_type}.",
    "{value} is not in the range {range}.": "{value} вне диапазона {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — это папка.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — это файл, а нужна папка.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} недоступен для чтения.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} недоступен для записи.",
    "Could not open file {filename!r}: {message}": "Не удалось открыть файл {filename!r}: {message}",
    "default: {default}": "по умолчанию: {default}",
    "required": "обязательно",
    "file": "Файл",
    "directory": "Папка",
    "path": "Путь",
    "integer": "целое число",
    "float": "число",
}


def translate(message: str) -> str:
    return RUSSIAN.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Point click's gettext hooks at the table above (click calls them at use time)."""
    for name in ("core", "exceptions", "types", "decorators", "parser", "formatting", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]
