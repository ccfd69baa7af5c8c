## Public pages: search, results, a service, information pages.

home-title = ابحث عن مساعدة قرب مكان سكنك
home-heading = ابحث عن استشارة قانونية مجانية أو خدمة مساعدة اجتماعية قرب مكان سكنك
home-lead = مجاني، وبلا حساب. قل لنا ما الذي تبحث عنه وأين أنت: نعرض لك أقرب الأماكن، وهل هي مفتوحة.
search-label = البحث عن خدمة
search-button = بحث
shortcuts-heading = عمليات بحث شائعة
home-help-heading = هل تحتاج إلى مساعدة في البحث؟
home-help-text = يمكن لمساعد اجتماعي، أو للبلدية، أو لمكتب الإرشاد القانوني (point d'accès au droit) أن يبحث معك. الشركاء أنفسهم هم الذين يحدّثون معلومات الخدمات.
field-what = عمّ تبحث؟
field-what-hint = البحث يعمل أفضل بالكلمات الفرنسية. مثلًا: avocat (محامٍ)، domiciliation (عنوان بريدي)، logement (سكن)، douche (استحمام)، repas (وجبة).
field-where = أين؟
field-where-hint = اسم البلدية، أو الدائرة في باريس (Paris 18e)، أو الرمز البريدي (93200).
near-me = بالقرب مني
near-me-locating = جارٍ تحديد موقعك…
near-me-failed = تعذّر تحديد موقعك: اكتب اسم البلدية أو الرمز البريدي.
field-theme = الموضوع
field-when = متى؟
when-any = في أي وقت
when-now = مفتوح الآن
when-today = اليوم
when-week = هذا الأسبوع
theme-choice-any = كل المواضيع
theme-choice-legal = المساعدة القانونية والإجراءات
theme-choice-rights = الحصول على الحقوق (CAF، CPAM، المساعدات المالية)
theme-choice-paperwork = المعاملات الإدارية
theme-choice-justice = مشكلة مع القضاء
theme-choice-discrimination = التمييز
theme-choice-violence = العنف، الانفصال
theme-choice-housing = السكن والإيواء
theme-choice-money = المال، الديون
theme-choice-food = الحصول على الطعام
theme-choice-health = العلاج والرعاية الصحية
shortcut-legal-now = استشارة قانونية مجانية مفتوحة الآن
shortcut-rights = المطالبة بحقوقك (CAF، CPAM…)
shortcut-domiciliation = عنوان بريدي (domiciliation)
shortcut-shelter = مأوى طارئ
shortcut-food = وجبات ومساعدات غذائية
shortcut-hygiene = الاستحمام والنظافة الشخصية
spoken-any = كل اللغات

results-heading = الخدمات التي وجدناها
errors-heading = تعذّر إجراء البحث
more-filters = التصفية: الموضوع، الوقت، المسافة…
field-radius = أقصى مسافة
field-spoken = اللغة المستخدمة في المكان
field-free = المجانية فقط
field-wheelchair = يمكن الوصول إليه بالكرسي المتحرك
field-remote = عن بُعد (بالهاتف، عبر الإنترنت)
hint-add-place = اكتب مكانًا لترى الخدمات الأقرب أولًا.
empty-heading = لا توجد خدمة مطابقة
empty-text = جرّب أحد عمليات البحث الأوسع هذه:
languages-spoken = اللغات المستخدمة: { $languages }
nav-pages = صفحات النتائج
page-previous = النتائج السابقة
page-next = النتائج التالية
place-near-you = موقعك
summary-error = يجب تصحيح البحث
summary-near = { $count ->
    [0] لا توجد أي خدمة
    [zero] لا توجد أي خدمة
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $count } خدمات
    [many] { $count } خدمة
   *[other] { $count } خدمة
  } على بعد أقل من { $km } كم من «{ $place }»
summary-all = { $count ->
    [0] لا توجد أي خدمة
    [zero] لا توجد أي خدمة
    [one] خدمة واحدة
    [two] خدمتان
    [few] { $count } خدمات
    [many] { $count } خدمة
   *[other] { $count } خدمة
  } في منطقة باريس الكبرى
way-out-wider = البحث حتى مسافة { $km } كم
way-out-drop-text = بدون الكلمات المكتوبة
way-out-drop-theme = كل المواضيع
way-out-drop-when = في أي وقت
way-out-drop-free = المجانية والمدفوعة
way-out-drop-accessible = بدون شرط الكرسي المتحرك
way-out-drop-mode = في المكان وعن بُعد
way-out-drop-spoken = كل اللغات
way-out-drop-public = لكل الفئات
way-out-everywhere = في كل منطقة باريس الكبرى
error-place = لم نجد «{ $place }» في منطقة باريس الكبرى (Métropole du Grand Paris). اكتب اسم بلدية، أو دائرة في باريس (Paris 18e)، أو رمزًا بريديًا.
error-near = تعذّرت قراءة موقعك. اكتب اسم البلدية أو الرمز البريدي.
error-near-outside = يبدو أن موقعك خارج منطقة باريس الكبرى. اكتب اسم بلدية أو دائرة من دوائر باريس أو رمزًا بريديًا.
error-text-too-long = نص البحث طويل جدًا (200 حرف على الأكثر).
error-radius = يجب أن تكون المسافة بين 0 و50 كم.
error-parameter = الخيار «{ $name }» غير مفهوم.
error-unreadable = رابط البحث غير مقروء.

theme-choisir-un-metier = اختيار مهنة
theme-creer-une-entreprise = إنشاء مشروع
theme-difficultes-administratives-ou-juridiques = المساعدة القانونية والإجراءات
theme-difficultes-financieres = المال، الديون
theme-equipement-et-alimentation = الطعام والتجهيزات
theme-famille = العائلة
theme-lecture-ecriture-calcul = القراءة والكتابة والحساب
theme-logement-hebergement = السكن والإيواء
theme-mobilite = التنقّل
theme-numerique = الحاسوب والإنترنت
theme-preparer-sa-candidature = تحضير طلب العمل
theme-remobilisation = استعادة الثقة بالنفس
theme-sante = الصحة
theme-se-former = التدريب
theme-souvrir-a-linternational = الانفتاح على الخارج
theme-trouver-un-emploi = إيجاد عمل
fact-free = مجاني
fact-wheelchair = مناسب للكرسي المتحرك
mode-en-presentiel = حضوريًا
mode-a-distance = عن بُعد
mobilisation-se-presenter = الذهاب إلى المكان مباشرة
mobilisation-telephoner = الاتصال بالهاتف
mobilisation-envoyer-un-courriel = إرسال بريد إلكتروني
mobilisation-utiliser-lien-mobilisation = التواصل عبر الرابط على الإنترنت
public-actifs = الأشخاص العاملون
public-beneficiaires-des-minimas-sociaux = المستفيدون من الحد الأدنى من الإعانات الاجتماعية
public-demandeurs-emploi = الباحثون عن عمل
public-etudiants = الطلاب
public-familles = العائلات
public-femmes = النساء
public-jeunes = الشباب
public-personnes-en-situation-de-handicap = الأشخاص ذوو الإعاقة
public-personnes-en-situation-durgence = الأشخاص في حالة طارئة
public-personnes-en-situation-juridique-specifique = الأشخاص في وضع قانوني خاص
public-personnes-exilees = الأشخاص في المنفى
public-residents-qpv-frr = سكان الأحياء ذات الأولوية
public-seniors = كبار السن
public-tous-publics = الجميع
fee-gratuit = مجاني
fee-payant = برسوم

today-heading = الآن
week-heading = المواعيد في الأيام السبعة القادمة
week-day = اليوم
week-hours = المواعيد
today = اليوم
hours-as-given = المواعيد كما ذكرتها الخدمة (بحاجة إلى تأكيد):
closures-heading = أيام الإغلاق المقرّرة
closure-dates = من { $from } إلى { $to }
closure-line = { $dates }:
where-heading = العنوان ووسائل الاتصال
address-unknown = العنوان غير متوفر: اتصل قبل أن تذهب.
map-link = عرض الخريطة على OpenStreetMap
phone = الهاتف:
email = البريد الإلكتروني:
how-heading = كيف تصل إلى الخدمة
how-unknown = الطريقة غير محدّدة: اتصل قبل أن تذهب.
documents-heading = الشروط والوثائق المطلوب إحضارها
for-whom-heading = لمن هذه الخدمة
languages-heading = اللغات المستخدمة:
about-heading = عن الخدمة
verified-on = تحقّق الشريك من هذه المعلومات في { $date }.
updated-on = حدّث المصدر هذه المعلومات في { $date }.
share-link = رابط هذه الصفحة
share-hint = (انسخه لمشاركته أو إرساله)
source-link = عرض البطاقة الأصلية
wheelchair-yes = يمكن الوصول إليه بالكرسي المتحرك.
wheelchair-no = لا يمكن الوصول إليه بالكرسي المتحرك.
wheelchair-unknown = لا توجد معلومات عن الوصول بالكرسي المتحرك.

about-title = عن Relais
about-what-heading = ما فائدة هذا الموقع
about-what-1 = يساعدك Relais على أن تجد، قرب مكان سكنك، استشارة قانونية مجانية أو خدمة مساعدة اجتماعية (عنوان بريدي، إيواء، طعام، الحصول على الحقوق)، وأن تعرف هل هي مفتوحة، وكيف تصل إليها.
about-what-2 = يعمل الموقع بلا حساب، وعلى هاتف قديم، مع JavaScript أو بدونه، باللغات الفرنسية والإنجليزية والعربية.
about-network-heading = من يقف وراء الموقع
about-network-1 = Relais هو الأداة المشتركة لشركاء ميثاق مكافحة الإقصاء الاجتماعي في منطقة باريس الكبرى (Métropole du Grand Paris): البلدية، والإدارات الحكومية، ونقابة المحامين، وصندوق الإعانات العائلية (CAF)، وصندوق التأمين الصحي (CPAM)، والمستشفيات، والجمعيات.
about-network-2 = كل شريك يحدّث بنفسه أماكنه وخدماته ومواعيده وأيام الإغلاق.
about-data-heading = من أين تأتي المعلومات
about-data-1 = الخدمات موصوفة بصيغة data·inclusion، وهي المرجع الوطني الفرنسي لخدمات الإدماج الاجتماعي والمهني، ويمكن إعادة استخدامها بحرية.
about-data-2 = تُؤخذ العطل الرسمية وأيام الإغلاق في الحسبان لمعرفة هل المكان مفتوح. وعند الشك، يكتب الموقع ذلك: «المواعيد بحاجة إلى تأكيد».

a11y-title = بيان سهولة الوصول
a11y-status-heading = حالة المطابقة
a11y-status-1 = يلتزم شركاء الميثاق بجعل هذا الموقع سهل الوصول، وفقًا للمادة 47 من القانون رقم 2005-102 الصادر في 11 فبراير 2005 (article 47 de la loi n° 2005-102 du 11 février 2005).
a11y-status-2 = هذا الموقع مطابق جزئيًا للمرجع العام لتحسين سهولة الوصول (RGAA)، الإصدار 4.1، بسبب حالات عدم المطابقة المذكورة أدناه.
a11y-results-heading = نتائج الاختبارات
a11y-results-1 = لم تُجرِ أي جهة مستقلة حتى الآن تدقيقًا كاملًا وفق RGAA. يُختبر كل إصدار آليًا (axe-core، قواعد WCAG 2.1 من المستويين A وAA) في متصفح حقيقي، بعرض 360 و1280 بكسل، باستخدام لوحة المفاتيح فقط، وبدون JavaScript.
a11y-results-2 = هذه الاختبارات الآلية لا تغطي إلا جزءًا من المعايير: ومن المقرّر إجراء تدقيق كامل.
a11y-exceptions-heading = محتوى غير سهل الوصول
a11y-exceptions-1 = يكتب الشركاء أوصاف الخدمات باللغة الفرنسية، وقد تحتوي على اختصارات غير مشروحة؛ وهذه الأوصاف غير مترجمة.
a11y-exceptions-2 = الخريطة رابط إلى OpenStreetMap، وهو موقع خارجي لا تتوقف سهولة الوصول إليه علينا؛ ويبقى العنوان المكتوب معروضًا دائمًا.
a11y-tech-heading = التقنيات المستخدمة
a11y-tech-1 = HTML5 وCSS. لا يُستخدم JavaScript إلا لاقتراح البحث حول موقعك؛ وكل ما عدا ذلك يعمل بدونه.
a11y-tech-2 = الصفحات المختبرة: الصفحة الرئيسية، ونتائج البحث، وبطاقة الخدمة، وصفحة «عن الموقع»، وسهولة الوصول، والخصوصية، وصفحة الخطأ.
a11y-report-heading = الملاحظات والتواصل
a11y-report-1 = إذا لم تتمكن من الوصول إلى محتوى أو إلى خدمة، فأبلغ بذلك الشريكَ الذي يرافقك أو فريقَ تنسيق الميثاق، وسيقترح عليك طريقة أخرى للحصول على المعلومة.
a11y-report-2 = أخبرنا بالصفحة المعنية وبما أزعجك؛ نجيب خلال 15 يومًا.
a11y-remedy-heading = طرق التظلّم
a11y-remedy-1 = إذا لم تحصل على ردّ مُرضٍ، يمكنك اللجوء إلى Défenseur des droits، أي المدافع عن الحقوق، وهو هيئة فرنسية مستقلة (defenseurdesdroits.fr، أو بالبريد المجاني دون طابع: Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07، أو عن طريق أحد مندوبيه).

privacy-title = الخصوصية
privacy-nothing-heading = ما لا نحتفظ به
privacy-nothing-1 = ليس لديك حساب، ولا نحتفظ بأي شيء من عمليات بحثك: لا إحصاءات عن الزوار، ولا إعلانات، ولا أي محتوى قادم من موقع آخر.
privacy-nothing-2 = إذا استخدمت زر «بالقرب مني»، يطلب متصفحك موافقتك أولًا، ثم يرسل موقعك مقرّبًا إلى نحو مئة متر داخل الطلب نفسه، وليس أبدًا في عنوان الصفحة. يستبدله الخادم فورًا باسم الدائرة أو البلدية التي أنت فيها، ولا يحفظه.
privacy-log-heading = سجلّ الخادم
privacy-log-1 = لا يكتب Relais في سجلّه عناوين الصفحات المطلوبة: بل يسجّل فقط الأخطاء وبعض العدّادات (عدد الطلبات لكل صفحة، والمُدد)، دون أي شيء يسمح بالتعرّف عليك.
privacy-log-2 = يمكن لخادم الويب الموجود أمام Relais أن يسجّل كل طلب (التاريخ، وعنوان IP، والصفحة) لاكتشاف الأعطال وإساءة الاستخدام؛ ويُحفظ هذا السجلّ مدة أقصاها { $days } يومًا، ثم يُحذف، ولا يُعطى لأي أحد.
privacy-cookie-heading = ملف تعريف ارتباط واحد فقط
privacy-cookie-1 = إذا اخترت لغة، يحفظها ملف تعريف ارتباط (cookie) اسمه «lang» لمدة سنة. ولا يُستخدم لأي شيء آخر؛ ويمكنك حذفه في أي وقت.
privacy-pro-heading = لمهنيي الشركاء
privacy-pro-1 = يسجّل سجلّ الأمان في الفضاء المهني عنوان IP لأحداث الأمان فقط: تسجيلات الدخول ومحاولات الدخول الفاشلة، والروابط، وكلمات المرور والعامل الثاني، ورموز واجهة البرمجة (API)، وتغييرات الأعضاء. أما الأحداث الأخرى (تعديل خدمة، أو استيراد) فتُسجَّل دون عنوان. هذا السجلّ غير قابل للتزوير (كل حدث مرتبط بالحدث الذي قبله): العنوان المسجّل فيه يبقى ما بقي السجلّ نفسه. ولا يرى مسؤولو الشريك هذه العناوين إلا لأعضاء هذا الشريك.
privacy-pro-2 = للحدّ من محاولات تخمين كلمات المرور، يعدّ Relais المحاولات الفاشلة لكل عنوان IP ولكل حساب مدة 15 دقيقة تحت بصمة (SHA-256 مملّحة، بملح يُسحب عشوائيًا عند كل تشغيل للخادم ولا يُحفظ أبدًا): فلا يُحفظ العنوان ولا البريد الإلكتروني بشكل واضح.
privacy-rights-heading = حقوقك
privacy-rights-1 = لأي سؤال عن بياناتك، توجّه إلى فريق تنسيق الميثاق. ويمكنك أيضًا تقديم شكوى إلى CNIL، وهي الهيئة الفرنسية لحماية البيانات الشخصية (cnil.fr).
