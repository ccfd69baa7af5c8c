## Layout, dates, times and statuses shared by every page.

skip-link = انتقل إلى المحتوى
tagline = الحقوق والمساعدة قرب مكان سكنك، في منطقة باريس الكبرى
nav-languages = اللغة
nav-footer = صفحات الموقع
nav-search = البحث
nav-about = عن الموقع
nav-accessibility = سهولة الوصول: مطابقة جزئية
nav-privacy = الخصوصية
footer-note = خدمة عامة مجانية يقدّمها شركاء ميثاق مكافحة الإقصاء الاجتماعي. بلا حساب، وبلا تتبّع.
not-found-title = الصفحة غير موجودة
not-found-text = هذا العنوان لا يطابق أي صفحة ولا أي خدمة. ربما حُذفت الخدمة من الدليل.
error-title = حدث خطأ
error-text = تعذّر عرض الصفحة. حاول مرة أخرى بعد قليل. وإذا تكرّر ذلك، أبلغ عنه مع ذكر المرجع المكتوب أدناه.
error-reference = المرجع: { $reference }
refused-title = تم رفض الطلب
refused-text = لا يستطيع الخادم الرد على هذا الطلب كما أُرسل.
refused-text-400 = الطلب غير سليم الصياغة.
refused-text-405 = لا يُستخدم هذا العنوان بهذه الطريقة (طريقة غير مسموح بها).
refused-text-408 = استغرق الطلب وقتًا طويلًا. حاول مرة أخرى بعد قليل.
refused-text-413 = البيانات المرسلة كبيرة جدًا (64 كيلوبايت على الأكثر).
refused-text-414 = العنوان (URL) طويل جدًا.
refused-text-415 = البيانات المرسلة ليست بصيغة مقبولة هنا.
refused-text-431 = ترويسات الطلب كبيرة جدًا أو كثيرة جدًا.
back-home = العودة إلى البحث

weekday-1 = الاثنين
weekday-2 = الثلاثاء
weekday-3 = الأربعاء
weekday-4 = الخميس
weekday-5 = الجمعة
weekday-6 = السبت
weekday-7 = الأحد
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
date-long = { $weekday } { $day } { $month }
date-year = { $day } { $month } { $year }

status-open = مفتوح
status-open-until = مفتوح حتى الساعة { $time }
status-open-until-tomorrow = مفتوح حتى الغد الساعة { $time }
status-open-until-day = مفتوح حتى يوم { $day } الساعة { $time }
status-open-until-date = مفتوح حتى يوم { $date }
status-closed = مغلق
status-closed-opens = مغلق — يفتح الساعة { $time }
status-closed-opens-tomorrow = مغلق — يفتح غدًا الساعة { $time }
status-closed-opens-day = مغلق — يفتح يوم { $day } الساعة { $time }
status-closed-opens-date = مغلق — يفتح يوم { $date }
status-unknown = المواعيد بحاجة إلى تأكيد
hours-to-confirm-short = بحاجة إلى تأكيد
hours-all-day = على مدار 24 ساعة
distance-walk = { $distance } · { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  } سيرًا على الأقدام
radius-km = { $km } كم

holiday-jour-de-l-an = رأس السنة الميلادية
holiday-lundi-de-paques = اثنين الفصح
holiday-fete-du-travail = عيد العمال
holiday-victoire-1945 = ذكرى النصر 1945
holiday-ascension = عيد الصعود
holiday-lundi-de-pentecote = اثنين العنصرة
holiday-fete-nationale = العيد الوطني الفرنسي
holiday-assomption = عيد انتقال السيدة العذراء
holiday-toussaint = عيد جميع القديسين
holiday-armistice-1918 = ذكرى هدنة 1918
holiday-noel = عيد الميلاد
holiday-vendredi-saint = الجمعة العظيمة
holiday-saint-etienne = عيد القديس إسطفانوس

language-fr = الفرنسية
language-en = الإنجليزية
language-ar = العربية
language-es = الإسبانية
language-pt = البرتغالية
language-ro = الرومانية
language-ru = الروسية
language-uk = الأوكرانية
language-tr = التركية
language-zh = الصينية
language-ber = الأمازيغية
language-ff = الفولانية
language-wo = الولوفية
language-de = الألمانية
language-it = الإيطالية
language-fa = الفارسية
language-ps = البشتوية
language-bn = البنغالية
language-ta = التاميلية
language-bm = البامبارية
language-so = الصومالية
language-ti = التغرينية
language-ln = اللينغالا
language-lsf = لغة الإشارة الفرنسية
