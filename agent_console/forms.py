"""Forms (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import DataRequired, Length, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=256)])
    role = SelectField(_l("Role"), choices=[C("psychologist", _l("Psychologist")),
                                            C("supervisor", _l("Supervisor")),
                                            C("administrator", _l("Administrator"))])
    centre_id = SelectField(_l("Centre"), coerce=str)
    languages = SelectMultipleField(_l("Languages"), choices=[C("kk", "Қазақша"), C("ru", "Русский"),
                                                              C("en", "English")],
                                    default=["kk", "ru"])
    ui_language = SelectField(_l("Interface language"), choices=[C("kk", "Қазақша"),
                                                                 C("ru", "Русский"), C("en", "English")])


class TopicForm(FlaskForm):
    #: an identifier (also what reaches report CSVs): never a formula, a space or punctuation
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), Regexp(
        r"^\s*[A-Za-z0-9_]+\s*$", message=_l("Only Latin letters, digits and _ (for example "
                                              "online_safety)."))])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=120)])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[DataRequired(), Length(max=120)])
