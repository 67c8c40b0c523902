"""Safepath's standard protection screening questionnaire (XLSForm source, readable form).

``safepath-screening-v1.xlsx`` next to this file is generated from these rows by
``python -m safepath.surveys.forms.build``; a test keeps both in sync. Field names are the contract
with the ``safepath-domv-v1`` risk model: rename a field here and the model must follow.
Choice names reuse the catalogue codes (sex_gender, population_groups, migration_stages,
washington_group_answers) so answers need no recoding.
"""

from __future__ import annotations

from typing import Any

from safepath.framework import countries

FORM_ID = "safepath-screening-v1"
VERSION = "2026120101"  # nationality from the ISO 3166-1 list
LANGUAGES = ("English (en)", "Français (fr)", "Español (es)", "العربية (ar)")

Row = dict[str, Any]

# Spanish and Arabic for every English label and constraint message above and below, keyed by the
# English text (UNHCR / IOM / Global Protection Cluster terminology; the Washington Group Short
# Set items and answers follow the WG's official Spanish and Arabic wording). ``_es_ar`` raises
# for any English text missing here, so a new label cannot ship without both translations.
TRANSLATIONS: dict[str, tuple[str, str]] = {
    # --- interview and place ---------------------------------------------------------------
    "Interview": ("Entrevista", "المقابلة"),
    "Admin 1 P-code": ("P-code de admin 1", "الرمز المكاني (P-code) للمستوى الإداري 1"),
    "Two letters and two digits, e.g. AF01": (
        "Dos letras y dos dígitos, p. ej. AF01",
        "حرفان ورقمان، مثل AF01",
    ),
    "Admin 2 P-code": ("P-code de admin 2", "الرمز المكاني (P-code) للمستوى الإداري 2"),
    "The admin 1 P-code followed by two digits, e.g. AF0101": (
        "El P-code de admin 1 seguido de dos dígitos, p. ej. AF0101",
        "الرمز المكاني للمستوى الإداري 1 متبوعًا برقمين، مثل AF0101",
    ),
    "Do you agree to answer questions about your safety and your household? You can stop at "
    "any time; your answers stay confidential.": (
        "¿Acepta responder preguntas sobre su seguridad y su hogar? Puede detenerse en cualquier "
        "momento; sus respuestas son confidenciales.",
        "هل توافق على الإجابة عن أسئلة حول سلامتك وأسرتك؟ يمكنك التوقف في أي وقت، "
        "وستبقى إجاباتك سرية.",
    ),
    "Thank you for your time. The interview ends here.": (
        "Gracias por su tiempo. La entrevista termina aquí.",
        "شكرًا لك على وقتك. تنتهي المقابلة هنا.",
    ),
    "Screening": ("Evaluación inicial", "الفحص الأولي"),
    # --- demographics ----------------------------------------------------------------------
    "About you": ("Sobre usted", "معلومات عنك"),
    "How old are you?": ("¿Cuántos años tiene?", "كم عمرك؟"),
    "Age between 0 and 120": ("Edad entre 0 y 120", "العمر بين 0 و120"),
    "Sex / gender": ("Sexo / género", "الجنس / النوع الاجتماعي"),
    "Nationality": ("Nacionalidad", "الجنسية"),
    "Stateless": ("Apátrida", "عديم الجنسية"),
    "Population group": ("Grupo de población", "الفئة السكانية"),
    "How many people live in your household, including you?": (
        "¿Cuántas personas viven en su hogar, incluido usted?",
        "كم عدد الأشخاص الذين يعيشون في أسرتك، بما فيهم أنت؟",
    ),
    "Between 1 and 50": ("Entre 1 y 50", "بين 1 و50"),
    "Are you here without a parent or usual caregiver?": (
        "¿Está aquí sin su padre, su madre ni la persona que habitualmente le cuida?",
        "هل أنت هنا من دون أحد والديك أو الشخص الذي يرعاك عادةً؟",
    ),
    # --- Washington Group Short Set --------------------------------------------------------
    "Difficulties in daily life": ("Dificultades en la vida diaria", "الصعوبات في الحياة اليومية"),
    "Do you have difficulty seeing, even if wearing glasses?": (
        "¿Tiene dificultad para ver, aun si usa anteojos o lentes?",
        "هل لديك صعوبة في الرؤية، حتى لو كنت تستخدم نظارات طبية؟",
    ),
    "Do you have difficulty hearing, even if using a hearing aid?": (
        "¿Tiene dificultad para oír, aun si usa audífono(s)?",
        "هل لديك صعوبة في السمع، حتى لو كنت تستخدم معينات سمعية؟",
    ),
    "Do you have difficulty walking or climbing steps?": (
        "¿Tiene dificultad para caminar o subir escalones?",
        "هل لديك صعوبة في المشي أو صعود الدرج؟",
    ),
    "Do you have difficulty remembering or concentrating?": (
        "¿Tiene dificultad para recordar o concentrarse?",
        "هل لديك صعوبة في التذكر أو التركيز؟",
    ),
    "Do you have difficulty with self-care, such as washing all over or dressing?": (
        "¿Tiene dificultad con el cuidado personal, como lavarse todo el cuerpo o vestirse?",
        "هل لديك صعوبة في العناية الذاتية، مثل الاستحمام أو ارتداء الملابس؟",
    ),
    "Using your usual language, do you have difficulty communicating?": (
        "Usando su idioma habitual, ¿tiene dificultad para comunicarse?",
        "باستخدام لغتك المعتادة، هل لديك صعوبة في التواصل؟",
    ),
    # --- displacement / migration situation ------------------------------------------------
    "Displacement and migration": ("Desplazamiento y migración", "النزوح والهجرة"),
    "Where are you in your journey?": (
        "¿En qué etapa de su trayecto se encuentra?",
        "في أي مرحلة من رحلتك أنت الآن؟",
    ),
    "Do you have identity documents?": (
        "¿Tiene documentos de identidad?",
        "هل لديك وثائق هوية؟",
    ),
    "Are you prevented from moving freely where you live?": (
        "¿Le impiden desplazarse libremente en el lugar donde vive?",
        "هل تُمنع من التنقل بحرية في المكان الذي تعيش فيه؟",
    ),
    "In the last 12 months, were you or a household member detained arbitrarily or kidnapped?": (
        "En los últimos 12 meses, ¿usted o algún miembro de su hogar fue detenido arbitrariamente "
        "o secuestrado?",
        "خلال الأشهر الاثني عشر الماضية، هل تعرضت أنت أو أحد أفراد أسرتك للاحتجاز التعسفي "
        "أو الاختطاف؟",
    ),
    # --- threats experienced ---------------------------------------------------------------
    "Safety and threats": ("Seguridad y amenazas", "السلامة والتهديدات"),
    "In the last 6 months, did you or your household experience any of these?": (
        "En los últimos 6 meses, ¿usted o su hogar sufrieron alguna de estas situaciones?",
        "خلال الأشهر الستة الماضية، هل تعرضت أنت أو أسرتك لأي مما يلي؟",
    ),
    "'None' cannot be combined with other answers": (
        "«Ninguna» no se puede combinar con otras respuestas",
        "لا يمكن الجمع بين «لا شيء مما سبق» وإجابات أخرى",
    ),
    "Is anyone threatening your life or a household member's life now?": (
        "¿Alguien amenaza actualmente su vida o la de algún miembro de su hogar?",
        "هل يهدد أحدٌ حياتك أو حياة أحد أفراد أسرتك حاليًا؟",
    ),
    "How often do women or girls in your household feel unsafe from "
    "sexual or gender-based violence?": (
        "¿Con qué frecuencia las mujeres o niñas de su hogar se sienten en riesgo de sufrir "
        "violencia sexual o de género?",
        "كم مرة تشعر النساء أو الفتيات في أسرتك بعدم الأمان من العنف الجنسي أو العنف القائم "
        "على النوع الاجتماعي؟",
    ),
    "Is your household threatened with eviction?": (
        "¿Su hogar está amenazado de desalojo?",
        "هل أسرتك مهددة بالإخلاء؟",
    ),
    "Were you asked to pay money or goods to pass, stay or be safe?": (
        "¿Le pidieron dinero o bienes para pasar, quedarse o estar a salvo?",
        "هل طُلب منك دفع مال أو تقديم أشياء مقابل المرور أو البقاء أو الحصول على الأمان؟",
    ),
    "Are you or a household member made to work and not free to leave?": (
        "¿Usted o algún miembro de su hogar es obligado a trabajar sin libertad para irse?",
        "هل تُجبر أنت أو أحد أفراد أسرتك على العمل دون أن تكونوا أحرارًا في المغادرة؟",
    ),
    "Do you owe a debt to a recruiter, smuggler or employer that you must work off?": (
        "¿Tiene una deuda con un reclutador, traficante de migrantes o empleador que debe pagar "
        "con trabajo?",
        "هل عليك دين لوسيط توظيف أو مهرّب أو صاحب عمل يجب أن تسدده بالعمل؟",
    ),
    "Has a child (under 18) in your household been married or promised in marriage?": (
        "¿Algún niño o niña (menor de 18 años) de su hogar ha sido casado o prometido en "
        "matrimonio?",
        "هل تم تزويج طفل أو طفلة (دون 18 عامًا) من أسرتك أو الوعد بتزويجه؟",
    ),
    "Has a child in your household joined or been taken by an armed force or group?": (
        "¿Algún niño o niña de su hogar se ha unido a una fuerza o grupo armado o ha sido "
        "reclutado por ellos?",
        "هل انضم طفل من أسرتك إلى قوة أو جماعة مسلحة أو تم أخذه من قبلها؟",
    ),
    "Have you seen mines or unexploded ordnance near where you live or work?": (
        "¿Ha visto minas o artefactos sin explotar cerca de donde vive o trabaja?",
        "هل رأيت ألغامًا أو ذخائر غير منفجرة بالقرب من مكان سكنك أو عملك؟",
    ),
    "How often are you refused services or treated badly because of who you are?": (
        "¿Con qué frecuencia le niegan servicios o le tratan mal por ser quien es?",
        "كم مرة تُحرم من الخدمات أو تُعامل معاملة سيئة بسبب هويتك؟",
    ),
    "How often are you insulted, threatened or humiliated?": (
        "¿Con qué frecuencia le insultan, amenazan o humillan?",
        "كم مرة تتعرض للإهانة أو التهديد أو الإذلال؟",
    ),
    "How often do you feel so upset or afraid that you cannot carry out daily tasks?": (
        "¿Con qué frecuencia se siente tan angustiado o asustado que no puede realizar sus "
        "tareas diarias?",
        "كم مرة تشعر بضيق أو خوف شديد لدرجة أنك لا تستطيع القيام بمهامك اليومية؟",
    ),
    # --- coping and support ----------------------------------------------------------------
    "Coping and support": ("Capacidades de afrontamiento y apoyo", "التكيّف والدعم"),
    "Do you have a safe place to sleep?": (
        "¿Tiene un lugar seguro para dormir?",
        "هل لديك مكان آمن للنوم؟",
    ),
    "Does your household have an income?": (
        "¿Su hogar tiene algún ingreso?",
        "هل لدى أسرتك دخل؟",
    ),
    "Do you have family or friends you can rely on here?": (
        "¿Tiene aquí familiares o amigos con quienes pueda contar?",
        "هل لديك هنا أقارب أو أصدقاء يمكنك الاعتماد عليهم؟",
    ),
    "Can you reach health, legal and social services when you need them?": (
        "¿Puede acceder a servicios de salud, jurídicos y sociales cuando los necesita?",
        "هل يمكنك الوصول إلى الخدمات الصحية والقانونية والاجتماعية عند حاجتك إليها؟",
    ),
    "Do you get reliable information about your rights and available help?": (
        "¿Recibe información fiable sobre sus derechos y la ayuda disponible?",
        "هل تحصل على معلومات موثوقة حول حقوقك والمساعدة المتاحة؟",
    ),
    # --- household members -----------------------------------------------------------------
    "Household member": ("Miembro del hogar", "فرد من أفراد الأسرة"),
    "First name or initials": ("Nombre o iniciales", "الاسم الأول أو الأحرف الأولى"),
    "Age": ("Edad", "العمر"),
    "Relation to the respondent": (
        "Parentesco con la persona entrevistada",
        "صلة القرابة بالمستجيب",
    ),
    "Is this child with a parent or usual caregiver?": (
        "¿Este niño o niña está con su padre, su madre o la persona que habitualmente le cuida?",
        "هل هذا الطفل مع أحد والديه أو الشخص الذي يرعاه عادةً؟",
    ),
    # --- choices ---------------------------------------------------------------------------
    "Yes": ("Sí", "نعم"),
    "No": ("No", "لا"),
    "Don't know": ("No sabe", "لا أعرف"),
    "Prefer not to say": ("Prefiere no responder", "أفضّل عدم الإجابة"),
    "Female": ("Mujer", "أنثى"),
    "Male": ("Hombre", "ذكر"),
    "Other / non-binary": ("Otro / no binario", "آخر / غير ثنائي"),
    "Migrant": ("Migrante", "مهاجر"),
    "Internally displaced person": ("Persona desplazada interna", "نازح داخليًا"),
    "Refugee": ("Refugiado", "لاجئ"),
    "Asylum seeker": ("Solicitante de asilo", "طالب لجوء"),
    "Returnee": ("Retornado", "عائد"),
    "Host community": ("Comunidad de acogida", "المجتمع المضيف"),
    "Migrant worker": ("Trabajador migrante", "عامل مهاجر"),
    "Stateless person": ("Apátrida", "عديم الجنسية"),
    "Other": ("Otro", "غير ذلك"),
    "No difficulty": ("Sin dificultad", "لا توجد صعوبة"),
    "Some difficulty": ("Cierta dificultad", "بعض الصعوبة"),
    "A lot of difficulty": ("Mucha dificultad", "صعوبة كبيرة"),
    "Cannot do at all": ("No puede hacerlo en absoluto", "لا يستطيع القيام بذلك على الإطلاق"),
    "At home (origin)": ("En mi lugar de origen (origen)", "في بلدي (المنشأ)"),
    "On the way (transit)": ("En camino (tránsito)", "في الطريق (العبور)"),
    "Arrived (destination)": ("Llegué (destino)", "وصلت (الوجهة)"),
    "Returned": ("Regresé (retorno)", "عدت (العودة)"),
    "Yes, valid": ("Sí, vigentes", "نعم، سارية"),
    "Yes, expired or damaged": ("Sí, vencidos o dañados", "نعم، منتهية الصلاحية أو تالفة"),
    "No documents": ("Sin documentos", "لا توجد وثائق"),
    "Someone else holds them and will not return them": (
        "Otra persona los retiene y no los devuelve",
        "يحتفظ بها شخص آخر ويرفض إعادتها",
    ),
    "Physical violence": ("Violencia física", "عنف جسدي"),
    "Sexual violence": ("Violencia sexual", "عنف جنسي"),
    "Torture or cruel treatment": ("Tortura o trato cruel", "تعذيب أو معاملة قاسية"),
    "Arbitrary detention": ("Detención arbitraria", "احتجاز تعسفي"),
    "Abduction or kidnapping": ("Rapto o secuestro", "اختطاف"),
    "Attack on home or village": ("Ataque a la vivienda o al pueblo", "هجوم على المنزل أو القرية"),
    "Forced eviction": ("Desalojo forzoso", "إخلاء قسري"),
    "Theft or extortion": ("Robo o extorsión", "سرقة أو ابتزاز"),
    "Forced labour": ("Trabajo forzoso", "عمل قسري"),
    "Trafficking": ("Trata de personas", "الاتجار بالبشر"),
    "Family separation": ("Separación familiar", "انفصال أسري"),
    "Discrimination": ("Discriminación", "تمييز"),
    "None of these": ("Ninguna de estas", "لا شيء مما سبق"),
    "Never": ("Nunca", "أبدًا"),
    "Sometimes": ("A veces", "أحيانًا"),
    "Often": ("A menudo", "غالبًا"),
    "Always": ("Siempre", "دائمًا"),
    "Partly": ("En parte", "جزئيًا"),
    "Regular income": ("Ingreso regular", "دخل منتظم"),
    "Irregular income": ("Ingreso irregular", "دخل غير منتظم"),
    "No income": ("Sin ingresos", "لا يوجد دخل"),
    "Head of household": ("Jefe/a de hogar", "رب/ربة الأسرة"),
    "Spouse": ("Cónyuge", "الزوج/الزوجة"),
    "Child": ("Hijo/a", "ابن/ابنة"),
    "Parent": ("Padre o madre", "أحد الوالدين"),
    "Sibling": ("Hermano/a", "أخ/أخت"),
    "Other relative": ("Otro familiar", "قريب آخر"),
    "Not related": ("Sin parentesco", "لا تربطه صلة قرابة"),
    "With a parent or usual caregiver": (
        "Con su padre, su madre o la persona que habitualmente le cuida",
        "مع أحد والديه أو الشخص الذي يرعاه عادةً",
    ),
    "Separated (with another adult relative)": (
        "Separado/a (con otro familiar adulto)",
        "منفصل (مع قريب بالغ آخر)",
    ),
    "Unaccompanied (no adult caring for them)": (
        "No acompañado/a (ningún adulto le cuida)",
        "غير مصحوب (لا يرعاه أي شخص بالغ)",
    ),
}


def _es_ar(en: str) -> tuple[str, str]:
    """(Spanish, Arabic) for an English text; a missing translation fails the build loudly."""
    try:
        return TRANSLATIONS[en]
    except KeyError:
        raise KeyError(f"no Spanish/Arabic translation for {en!r}") from None


def _row(type_: str, name: str, en: str = "", fr: str = "", **extra: Any) -> Row:
    row: Row = {"type": type_, "name": name}
    if en:
        es, ar = _es_ar(en)
        row["label::English (en)"] = en
        row["label::Français (fr)"] = fr or en
        row["label::Español (es)"] = es
        row["label::العربية (ar)"] = ar
    message = extra.pop("constraint_message", None)
    if message is not None:  # (English, French): one column per language, es/ar from the table
        row["constraint_message::English (en)"], row["constraint_message::Français (fr)"] = message
        (
            row["constraint_message::Español (es)"],
            row["constraint_message::العربية (ar)"],
        ) = _es_ar(message[0])
    row.update(extra)
    return row


def _q(type_: str, name: str, en: str, fr: str, **extra: Any) -> Row:
    """A question: required unless the caller says otherwise."""
    extra.setdefault("required", "yes")
    return _row(type_, name, en, fr, **extra)


_FREQ = "select_one frequency"
_YND = "select_one yes_no_dk_pnta"

SURVEY: list[Row] = [
    _row("start", "start"),
    _row("end", "end"),
    _row("today", "today"),
    # --- interview and place -------------------------------------------------------------
    _row("begin_group", "interview", "Interview", "Entretien"),
    _q(
        "text",
        "adm1_pcode",
        "Admin 1 P-code",
        "P-code admin 1",
        constraint="regex(., '^[A-Z]{2}[0-9]{2}$')",
        constraint_message=(
            "Two letters and two digits, e.g. AF01",
            "Deux lettres et deux chiffres, p. ex. AF01",
        ),
    ),
    _q(
        "text",
        "adm2_pcode",
        "Admin 2 P-code",
        "P-code admin 2",
        constraint="regex(., '^[A-Z]{2}[0-9]{4}$') and starts-with(., ${adm1_pcode})",
        constraint_message=(
            "The admin 1 P-code followed by two digits, e.g. AF0101",
            "Le P-code admin 1 suivi de deux chiffres, p. ex. AF0101",
        ),
    ),
    _q(
        "select_one yes_no",
        "consent",
        "Do you agree to answer questions about your safety and your household? You can stop at "
        "any time; your answers stay confidential.",
        "Acceptez-vous de répondre à des questions sur votre sécurité et votre ménage ? Vous "
        "pouvez arrêter à tout moment ; vos réponses restent confidentielles.",
    ),
    _row(
        "note",
        "consent_refused",
        "Thank you for your time. The interview ends here.",
        "Merci pour votre temps. L'entretien s'arrête ici.",
        relevant="${consent} = 'no'",
    ),
    _row("end_group", "interview"),
    # Everything after consent is skipped when it is refused.
    _row("begin_group", "screening", "Screening", "Dépistage", relevant="${consent} = 'yes'"),
    # --- demographics ----------------------------------------------------------------------
    _row("begin_group", "demographics", "About you", "À propos de vous"),
    _q(
        "integer",
        "resp_age",
        "How old are you?",
        "Quel âge avez-vous ?",
        constraint=". >= 0 and . <= 120",
        constraint_message=("Age between 0 and 120", "Âge entre 0 et 120"),
    ),
    _q("select_one sex", "resp_sex", "Sex / gender", "Sexe / genre"),
    # chosen from the ISO 3166-1 list (a drop-down with search in ODK Collect and on the page)
    _q(
        "select_one nationality",
        "nationality",
        "Nationality",
        "Nationalité",
        appearance="minimal autocomplete",
    ),
    _q("select_one population_group", "pop_group", "Population group", "Groupe de population"),
    _q(
        "integer",
        "hh_size",
        "How many people live in your household, including you?",
        "Combien de personnes vivent dans votre ménage, vous compris ?",
        constraint=". >= 1 and . <= 50",
        constraint_message=("Between 1 and 50", "Entre 1 et 50"),
    ),
    _q(
        "select_one yes_no",
        "resp_unaccompanied",
        "Are you here without a parent or usual caregiver?",
        "Êtes-vous ici sans parent ni personne qui s'occupe habituellement de vous ?",
        relevant="${resp_age} < 18",
    ),
    _row("end_group", "demographics"),
    # --- Washington Group Short Set (ages 5+) ----------------------------------------------
    _row(
        "begin_group",
        "wgss",
        "Difficulties in daily life",
        "Difficultés de la vie quotidienne",
        relevant="${resp_age} >= 5",
    ),
    _q(
        "select_one wg_answer",
        "wg_seeing",
        "Do you have difficulty seeing, even if wearing glasses?",
        "Avez-vous des difficultés à voir, même avec des lunettes ?",
    ),
    _q(
        "select_one wg_answer",
        "wg_hearing",
        "Do you have difficulty hearing, even if using a hearing aid?",
        "Avez-vous des difficultés à entendre, même avec un appareil auditif ?",
    ),
    _q(
        "select_one wg_answer",
        "wg_mobility",
        "Do you have difficulty walking or climbing steps?",
        "Avez-vous des difficultés à marcher ou à monter des marches ?",
    ),
    _q(
        "select_one wg_answer",
        "wg_cognition",
        "Do you have difficulty remembering or concentrating?",
        "Avez-vous des difficultés à vous souvenir ou à vous concentrer ?",
    ),
    _q(
        "select_one wg_answer",
        "wg_self_care",
        "Do you have difficulty with self-care, such as washing all over or dressing?",
        "Avez-vous des difficultés à prendre soin de vous, comme vous laver ou vous habiller ?",
    ),
    _q(
        "select_one wg_answer",
        "wg_communication",
        "Using your usual language, do you have difficulty communicating?",
        "Dans votre langue habituelle, avez-vous des difficultés à communiquer ?",
    ),
    _row("end_group", "wgss"),
    # --- displacement / migration situation ------------------------------------------------
    _row("begin_group", "displacement", "Displacement and migration", "Déplacement et migration"),
    _q(
        "select_one migration_stage",
        "migration_stage",
        "Where are you in your journey?",
        "Où en êtes-vous de votre parcours ?",
    ),
    _q(
        "select_one documents",
        "documents",
        "Do you have identity documents?",
        "Avez-vous des documents d'identité ?",
    ),
    _q(
        _YND,
        "movement_restricted",
        "Are you prevented from moving freely where you live?",
        "Vous empêche-t-on de circuler librement là où vous vivez ?",
    ),
    _q(
        _YND,
        "detained",
        "In the last 12 months, were you or a household member detained arbitrarily or kidnapped?",
        "Au cours des 12 derniers mois, vous ou un membre du ménage avez-vous été détenu "
        "arbitrairement ou enlevé ?",
    ),
    _row("end_group", "displacement"),
    # --- threats experienced ---------------------------------------------------------------
    _row("begin_group", "threats", "Safety and threats", "Sécurité et menaces"),
    _q(
        "select_multiple threat",
        "threats_experienced",
        "In the last 6 months, did you or your household experience any of these?",
        "Au cours des 6 derniers mois, vous ou votre ménage avez-vous subi l'un de ces faits ?",
        constraint="not(selected(., 'none') and count-selected(.) > 1)",
        constraint_message=(
            "'None' cannot be combined with other answers",
            "« Aucun » ne peut pas être combiné avec d'autres réponses",
        ),
    ),
    _q(
        _YND,
        "threat_to_life",
        "Is anyone threatening your life or a household member's life now?",
        "Quelqu'un menace-t-il actuellement votre vie ou celle d'un membre du ménage ?",
    ),
    _q(
        _FREQ,
        "gbv_concern",
        "How often do women or girls in your household feel unsafe from "
        "sexual or gender-based violence?",
        "À quelle fréquence les femmes ou filles de votre ménage se sentent-elles en danger de "
        "violences sexuelles ou basées sur le genre ?",
    ),
    _q(
        _YND,
        "eviction_threat",
        "Is your household threatened with eviction?",
        "Votre ménage est-il menacé d'expulsion ?",
    ),
    _q(
        _YND,
        "extortion",
        "Were you asked to pay money or goods to pass, stay or be safe?",
        "Vous a-t-on demandé de l'argent ou des biens pour passer, rester ou être en sécurité ?",
    ),
    _q(
        _YND,
        "forced_work",
        "Are you or a household member made to work and not free to leave?",
        "Vous ou un membre du ménage êtes-vous forcé de travailler sans pouvoir partir ?",
    ),
    _q(
        _YND,
        "debt_bondage",
        "Do you owe a debt to a recruiter, smuggler or employer that you must work off?",
        "Devez-vous à un recruteur, passeur ou employeur une dette à rembourser en travaillant ?",
    ),
    _q(
        _YND,
        "child_married",
        "Has a child (under 18) in your household been married or promised in marriage?",
        "Un enfant (moins de 18 ans) de votre ménage a-t-il été marié ou promis en mariage ?",
    ),
    _q(
        _YND,
        "child_recruited",
        "Has a child in your household joined or been taken by an armed force or group?",
        "Un enfant de votre ménage a-t-il rejoint ou été enrôlé par une force ou un groupe armé ?",
    ),
    _q(
        _YND,
        "eo_nearby",
        "Have you seen mines or unexploded ordnance near where you live or work?",
        "Avez-vous vu des mines ou engins non explosés près de chez vous ou du travail ?",
    ),
    _q(
        _FREQ,
        "discrimination",
        "How often are you refused services or treated badly because of who you are?",
        "À quelle fréquence vous refuse-t-on des services ou vous traite-t-on mal à cause de qui "
        "vous êtes ?",
    ),
    _q(
        _FREQ,
        "psych_abuse",
        "How often are you insulted, threatened or humiliated?",
        "À quelle fréquence êtes-vous insulté, menacé ou humilié ?",
    ),
    _q(
        _FREQ,
        "distress",
        "How often do you feel so upset or afraid that you cannot carry out daily tasks?",
        "À quelle fréquence vous sentez-vous si bouleversé ou effrayé que vous ne pouvez pas "
        "accomplir les tâches quotidiennes ?",
    ),
    _row("end_group", "threats"),
    # --- coping and support ----------------------------------------------------------------
    _row("begin_group", "coping", "Coping and support", "Capacités et soutien"),
    _q(
        "select_one level3",
        "safe_shelter",
        "Do you have a safe place to sleep?",
        "Avez-vous un endroit sûr pour dormir ?",
    ),
    _q(
        "select_one income",
        "income",
        "Does your household have an income?",
        "Votre ménage a-t-il un revenu ?",
    ),
    _q(
        "select_one level3",
        "support_network",
        "Do you have family or friends you can rely on here?",
        "Avez-vous ici de la famille ou des amis sur qui compter ?",
    ),
    _q(
        "select_one level3",
        "services_access",
        "Can you reach health, legal and social services when you need them?",
        "Pouvez-vous accéder aux services de santé, juridiques et sociaux quand vous en avez "
        "besoin ?",
    ),
    _q(
        "select_one level3",
        "info_access",
        "Do you get reliable information about your rights and available help?",
        "Recevez-vous des informations fiables sur vos droits et l'aide disponible ?",
    ),
    _row("end_group", "coping"),
    # --- household members -----------------------------------------------------------------
    _row(
        "begin_repeat",
        "hh_members",
        "Household member",
        "Membre du ménage",
        repeat_count="${hh_size}",
    ),
    _q("text", "member_name", "First name or initials", "Prénom ou initiales"),
    _q(
        "integer",
        "member_age",
        "Age",
        "Âge",
        constraint=". >= 0 and . <= 120",
        constraint_message=("Age between 0 and 120", "Âge entre 0 et 120"),
    ),
    _q("select_one sex", "member_sex", "Sex / gender", "Sexe / genre"),
    _q(
        "select_one relation",
        "member_relation",
        "Relation to the respondent",
        "Lien avec la personne interrogée",
    ),
    _q(
        "select_one separation",
        "member_separation",
        "Is this child with a parent or usual caregiver?",
        "Cet enfant est-il avec un parent ou la personne qui s'en occupe ?",
        relevant="${member_age} < 18",
    ),
    _row(
        "calculate",
        "member_unaccompanied",
        calculation="if(${member_age} < 18 and ${member_separation} = 'unaccompanied', 1, 0)",
    ),
    _row(
        "calculate",
        "member_separated",
        calculation="if(${member_age} < 18 and ${member_separation} != 'with_caregiver', 1, 0)",
    ),
    _row("end_repeat", "hh_members"),
    _row("calculate", "n_unaccompanied", calculation="sum(${member_unaccompanied})"),
    _row("calculate", "n_separated", calculation="sum(${member_separated})"),
    _row("end_group", "screening"),
]


def _choices(list_name: str, *items: tuple[str, str, str]) -> list[Row]:
    return [
        {
            "list_name": list_name,
            "name": name,
            "label::English (en)": en,
            "label::Français (fr)": fr,
            "label::Español (es)": _es_ar(en)[0],
            "label::العربية (ar)": _es_ar(en)[1],
        }
        for name, en, fr in items
    ]


def _countries() -> list[Row]:
    """The nationality list: every ISO 3166-1 alpha-3 code with its name in the four languages
    (``safepath.framework.countries``, the registration form's list), and STATELESS."""
    rows: list[Row] = [
        {
            "list_name": "nationality",
            "name": code,
            "label::English (en)": en,
            "label::Français (fr)": fr,
            "label::Español (es)": es,
            "label::العربية (ar)": ar,
        }
        for code, en, fr, es, ar in sorted(countries.names(), key=lambda c: c[1])
    ]
    return [*rows, *_choices("nationality", ("STATELESS", "Stateless", "Apatride"))]


CHOICES: list[Row] = [
    *_choices("yes_no", ("yes", "Yes", "Oui"), ("no", "No", "Non")),
    *_countries(),
    *_choices(
        "yes_no_dk_pnta",
        ("yes", "Yes", "Oui"),
        ("no", "No", "Non"),
        ("dont_know", "Don't know", "Ne sait pas"),
        ("prefer_not_to_say", "Prefer not to say", "Préfère ne pas répondre"),
    ),
    *_choices(
        "sex",
        ("female", "Female", "Femme"),
        ("male", "Male", "Homme"),
        ("other", "Other / non-binary", "Autre / non binaire"),
        ("prefer_not_to_say", "Prefer not to say", "Préfère ne pas répondre"),
    ),
    *_choices(
        "population_group",
        ("migrant", "Migrant", "Migrant"),
        ("idp", "Internally displaced person", "Personne déplacée interne"),
        ("refugee", "Refugee", "Réfugié"),
        ("asylum_seeker", "Asylum seeker", "Demandeur d'asile"),
        ("returnee", "Returnee", "Rapatrié"),
        ("host_community", "Host community", "Communauté hôte"),
        ("migrant_worker", "Migrant worker", "Travailleur migrant"),
        ("stateless", "Stateless person", "Apatride"),
        ("other", "Other", "Autre"),
    ),
    *_choices(
        "wg_answer",
        ("no_difficulty", "No difficulty", "Aucune difficulté"),
        ("some_difficulty", "Some difficulty", "Quelques difficultés"),
        ("a_lot_of_difficulty", "A lot of difficulty", "Beaucoup de difficultés"),
        ("cannot_do_at_all", "Cannot do at all", "Ne peut pas du tout"),
    ),
    *_choices(
        "migration_stage",
        ("origin", "At home (origin)", "Chez moi (origine)"),
        ("transit", "On the way (transit)", "En route (transit)"),
        ("destination", "Arrived (destination)", "Arrivé (destination)"),
        ("return", "Returned", "Retourné"),
    ),
    *_choices(
        "documents",
        ("valid", "Yes, valid", "Oui, valides"),
        ("expired", "Yes, expired or damaged", "Oui, expirés ou abîmés"),
        ("none", "No documents", "Aucun document"),
        (
            "held_by_other",
            "Someone else holds them and will not return them",
            "Quelqu'un d'autre les garde et refuse de les rendre",
        ),
    ),
    *_choices(
        "threat",
        ("physical_violence", "Physical violence", "Violence physique"),
        ("sexual_violence", "Sexual violence", "Violence sexuelle"),
        ("torture", "Torture or cruel treatment", "Torture ou traitement cruel"),
        ("detention", "Arbitrary detention", "Détention arbitraire"),
        ("abduction", "Abduction or kidnapping", "Enlèvement"),
        ("attack", "Attack on home or village", "Attaque du domicile ou du village"),
        ("eviction", "Forced eviction", "Expulsion forcée"),
        ("theft_extortion", "Theft or extortion", "Vol ou extorsion"),
        ("forced_labour", "Forced labour", "Travail forcé"),
        ("trafficking", "Trafficking", "Traite"),
        ("family_separation", "Family separation", "Séparation familiale"),
        ("discrimination", "Discrimination", "Discrimination"),
        ("none", "None of these", "Aucun de ces faits"),
    ),
    *_choices(
        "frequency",
        ("never", "Never", "Jamais"),
        ("sometimes", "Sometimes", "Parfois"),
        ("often", "Often", "Souvent"),
        ("always", "Always", "Toujours"),
        ("prefer_not_to_say", "Prefer not to say", "Préfère ne pas répondre"),
    ),
    *_choices(
        "level3", ("yes", "Yes", "Oui"), ("partly", "Partly", "En partie"), ("no", "No", "Non")
    ),
    *_choices(
        "income",
        ("regular", "Regular income", "Revenu régulier"),
        ("irregular", "Irregular income", "Revenu irrégulier"),
        ("none", "No income", "Aucun revenu"),
    ),
    *_choices(
        "relation",
        ("head", "Head of household", "Chef de ménage"),
        ("spouse", "Spouse", "Conjoint"),
        ("child", "Child", "Enfant"),
        ("parent", "Parent", "Parent"),
        ("sibling", "Sibling", "Frère ou sœur"),
        ("other_relative", "Other relative", "Autre parent"),
        ("not_related", "Not related", "Sans lien de parenté"),
    ),
    *_choices(
        "separation",
        (
            "with_caregiver",
            "With a parent or usual caregiver",
            "Avec un parent ou la personne qui s'en occupe",
        ),
        (
            "separated",
            "Separated (with another adult relative)",
            "Séparé (avec un autre adulte de la famille)",
        ),
        (
            "unaccompanied",
            "Unaccompanied (no adult caring for them)",
            "Non accompagné (aucun adulte ne s'en occupe)",
        ),
    ),
]

SETTINGS: list[Row] = [
    {
        "form_title": "Safepath protection screening v1",
        "form_id": FORM_ID,
        "version": VERSION,
        "default_language": LANGUAGES[0],
    },
]

SHEETS: dict[str, list[Row]] = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS}
