"""Bad input, notes and follow-ups, purge, published figures, blocks, offers and duty."""

from helpline.translations.catalogue.console import T

# ---- bad input answered in words ----
T.update({
    "Error": ("Қате", "Ошибка"),
    "Back to the start page": ("Басты бетке оралу", "На главную страницу"),
    "This request could not be used. Check what you entered and try again.": (
        "Бұл сұрауды орындау мүмкін болмады. Енгізгеніңізді тексеріп, қайталап көріңіз.",
        "Этот запрос не удалось выполнить. Проверьте введённые данные и повторите попытку."),
    "You are not allowed to do this.": ("Сізге мұны істеуге рұқсат жоқ.",
                                        "У вас нет прав на это действие."),
    "There is no such page.": ("Мұндай бет жоқ.", "Такой страницы нет."),
    "This page cannot be used this way.": ("Бұл бетті бұлай пайдалану мүмкін емес.",
                                           "Эту страницу нельзя использовать таким образом."),
    "What was sent is too large.": ("Жіберілген дерек тым үлкен.", "Отправленные данные слишком велики."),
    "Only Latin letters, digits and _ (for example online_safety).": (
        "Тек латын әріптері, цифрлар және _ (мысалы, online_safety).",
        "Только латинские буквы, цифры и _ (например, online_safety)."),
    "This was not done: %(field)s must be %(kind)s. Reload the page and try again.": (
        "Бұл орындалмады: %(field)s өрісіне %(kind)s керек. Бетті қайта жүктеп, қайталап көріңіз.",
        "Это не выполнено: в поле %(field)s нужно %(kind)s. Перезагрузите страницу и повторите попытку."),
    "This was not done: the console sent no %(fields)s. Reload the page and try again.": (
        "Бұл орындалмады: консоль %(fields)s жібермеді. Бетті қайта жүктеп, қайталап көріңіз.",
        "Это не выполнено: консоль не отправила %(fields)s. Перезагрузите страницу и повторите "
        "попытку."),
    "a number": ("сан", "число"),
    "text": ("мәтін", "текст"),
    "true or false": ("true немесе false", "true или false"),
    "a date as YYYY-MM-DD": ("ЖЖЖЖ-АА-КК түріндегі күн", "дата в виде ГГГГ-ММ-ДД"),
    "a month as YYYY-MM": ("ЖЖЖЖ-АА түріндегі ай", "месяц в виде ГГГГ-ММ"),
    "a date and time as YYYY-MM-DD HH:MM": ("ЖЖЖЖ-АА-КК СС:ММ түріндегі күн мен уақыт",
                                            "дата и время в виде ГГГГ-ММ-ДД ЧЧ:ММ"),
    "a date between %(first)s and %(last)s": ("%(first)s және %(last)s аралығындағы күн",
                                              "дата от %(first)s до %(last)s"),
    "after from, at most a year": ("«from» күнінен кейін, ең көбі бір жыл",
                                   "после «from», не больше года"),
    "choose one from the list": ("тізімнен біреуін таңдаңыз", "выберите одно из списка"),
    "This was not done: %(field)s is not one this console was given. Reload the page and try "
    "again.": (
        "Бұл орындалмады: %(field)s бұл консольге берілгендердің бірі емес. Бетті қайта жүктеп, "
        "қайталап көріңіз.",
        "Это не выполнено: %(field)s не из тех, что были переданы этой консоли. Перезагрузите "
        "страницу и повторите попытку."),
    "Your shifts can appear in your phone's calendar at a private address, made only when you "
    "ask for it.": (
        "Кезекшіліктеріңіз телефоныңыздағы күнтізбеде жеке мекенжай арқылы көрсетіле алады; ол "
        "тек сіз сұрағанда жасалады.",
        "Ваши смены могут появляться в календаре телефона по личному адресу; он создаётся только "
        "по вашей просьбе."),
    "Make my calendar address": ("Күнтізбе мекенжайымды жасау", "Создать адрес моего календаря"),
    "Your calendar feed has an address now.": ("Күнтізбеңіздің енді мекенжайы бар.",
                                               "У вашего календаря теперь есть адрес."),
    "This was not done: send the fields as a JSON object (names and values).": (
        "Бұл орындалмады: өрістерді JSON объектісі ретінде жіберіңіз (атаулары мен мәндері).",
        "Это не выполнено: отправьте поля как объект JSON (имена и значения)."),
})

# ---- notes keys and request follow-ups ----
T.update({
    "These notes cannot be read with the configured keys; ask the administrator (NOTES_KEY).": (
        "Бұл жазбаларды бапталған кілттермен оқу мүмкін емес; әкімшіге хабарласыңыз (NOTES_KEY).",
        "Эти заметки невозможно прочитать с настроенными ключами; обратитесь к администратору "
        "(NOTES_KEY)."),
    "Not saved: the stored notes cannot be read with the configured keys, and new notes would "
    "replace them. Keep your text elsewhere for now and ask the administrator (NOTES_KEY).": (
        "Сақталмады: сақталған жазбаларды бапталған кілттермен оқу мүмкін емес, ал жаңа жазбалар "
        "олардың орнын басып кетер еді. Мәтініңізді әзірге басқа жерге сақтап, әкімшіге "
        "хабарласыңыз (NOTES_KEY).",
        "Не сохранено: сохранённые заметки невозможно прочитать с настроенными ключами, а новые "
        "заметки заменили бы их. Пока сохраните свой текст в другом месте и обратитесь к "
        "администратору (NOTES_KEY)."),
    "The details of this request are for the psychologist who registered it and the centre's "
    "supervisors.": (
        "Бұл өтініштің мәліметтерін тек оны тіркеген психолог пен орталықтың супервайзерлері "
        "көре алады.",
        "Подробности этого обращения доступны только психологу, который его зарегистрировал, "
        "и супервайзерам центра."),
    "Details: its author and supervisors only": (
        "Мәліметтер: тек авторына және супервайзерлерге",
        "Подробности: только автору и супервайзерам"),
})

# ---- provider purge ----
T.update({
    "Deletion at the provider": ("Провайдердегі жою", "Удаление у провайдера"),
    "Twilio keeps every call's number, time and length in its call log. Every %(interval)s seconds "
    "the line deletes there each call that ended more than %(grace)s seconds ago.": (
        "Twilio қоңыраулар журналында әр қоңыраудың нөмірін, уақытын және ұзақтығын сақтайды. "
        "Желі әр %(interval)s секунд сайын %(grace)s секундтан бұрын аяқталған әр қоңырауды "
        "сол жерден жояды.",
        "Twilio хранит в журнале звонков номер, время и длительность каждого звонка. Каждые "
        "%(interval)s секунд линия удаляет там все звонки, завершившиеся более %(grace)s секунд "
        "назад."),
    "The simulated carrier is in use: there is nothing to delete at a provider.": (
        "Имитацияланған оператор қолданылуда: провайдерде жоятын ештеңе жоқ.",
        "Используется имитация оператора: у провайдера удалять нечего."),
    "Deleted in total: %(deleted)s. Failed in total: %(failed)s (tried again at the next sweep).": (
        "Барлығы жойылды: %(deleted)s. Барлығы сәтсіз: %(failed)s (келесі тазалауда қайта "
        "әрекет жасалады).",
        "Всего удалено: %(deleted)s. Всего неудач: %(failed)s (повтор при следующей очистке)."),
    "Deleted": ("Жойылды", "Удалено"),
    "Not final yet": ("Әлі аяқталмаған", "Ещё не завершены"),
    "Failed": ("Сәтсіз", "Неудачно"),
    "Alerts kept by Twilio": ("Twilio сақтаған ескертулер", "Оповещения, хранимые Twilio"),
    "Twilio's debugger alerts cannot be deleted through its API; Twilio removes them after 30 days.": (
        "Twilio жөндеуішінің ескертулерін оның API арқылы жою мүмкін емес; Twilio оларды 30 күннен "
        "кейін өзі жояды.",
        "Оповещения отладчика Twilio нельзя удалить через его API; Twilio удаляет их сам через "
        "30 дней."),
})

# ---- published figures ----
T.update({
    "Figures for a month are published once it has ended.": (
        "Айдың көрсеткіштері ай аяқталғаннан кейін жарияланады.",
        "Показатели за месяц публикуются после его окончания."),
    "a count from 1 to 4": ("1-ден 4-ке дейінгі сан", "число от 1 до 4"),
    'a count of 5 or more, hidden so that no "<5" can be worked out from the totals': (
        "5 немесе одан көп сан: жиынтықтардан ешбір «<5» мәнін есептеп шығаруға болмас үшін "
        "жасырылған",
        "число 5 или больше, скрытое, чтобы ни одно «<5» нельзя было вычислить по итогам"),
    "not published, so that no small count can be worked out": (
        "ешбір шағын санды есептеп шығаруға болмас үшін жарияланбаған",
        "не опубликовано, чтобы ни одно малое число нельзя было вычислить"),
})

# ---- caller tokens and blocks ----
T.update({
    "Earlier calls": ("Бұған дейінгі қоңыраулар", "Прежние звонки"),
    "No earlier calls from this caller in the last 30 days.": (
        "Бұл адам соңғы 30 күнде бұған дейін қоңырау шалмаған.",
        "За последние 30 дней этот человек раньше не звонил."),
    ("This caller has called %(count)s time before in the last 30 days.",
     "This caller has called %(count)s times before in the last 30 days."): (
        ("Бұл адам соңғы 30 күнде бұған дейін %(count)s рет қоңырау шалған.",
         "Бұл адам соңғы 30 күнде бұған дейін %(count)s рет қоңырау шалған."),
        ("За последние 30 дней этот человек уже звонил %(count)s раз.",
         "За последние 30 дней этот человек уже звонил %(count)s раза.",
         "За последние 30 дней этот человек уже звонил %(count)s раз.")),
    "Counts start again each month.": ("Есеп әр ай сайын қайта басталады.",
                                       "Счёт начинается заново каждый месяц."),
    "Caller blocks": ("Қоңырау шалушыларды бұғаттау", "Блокировка звонящих"),
    "A blocked caller hears that the line cannot take their call, and the emergency and help "
    "numbers. A block ends by itself at the chosen time, at the latest when the caller tokens "
    "change at the start of the month. Every block and lift is in the audit log.": (
        "Бұғатталған адам желі оның қоңырауын қабылдай алмайтынын естиді, сондай-ақ шұғыл "
        "қызметтер мен көмек нөмірлерін естиді. Бұғаттау таңдалған уақытта, ең кешіктірілсе, ай "
        "басында қоңырау шалушылардың таңбалауыштары ауысқанда өздігінен аяқталады. Әрбір бұғаттау "
        "мен оның алынуы аудит журналына жазылады.",
        "Заблокированный звонящий слышит, что линия не может принять его звонок, а также номера "
        "экстренных служб и помощи. Блокировка заканчивается сама в выбранное время, но не позже "
        "смены токенов звонящих в начале месяца. Каждая блокировка и её снятие записываются в "
        "журнал аудита."),
    "Caller tokens are off on this line, so callers cannot be blocked. An administrator can turn "
    "them on (CALLER_TOKEN_ENABLED).": (
        "Бұл желіде қоңырау шалушылардың таңбалауыштары өшірулі, сондықтан оларды бұғаттау мүмкін "
        "емес. Әкімші оларды қоса алады (CALLER_TOKEN_ENABLED).",
        "На этой линии токены звонящих отключены, поэтому блокировать звонящих нельзя. "
        "Администратор может их включить (CALLER_TOKEN_ENABLED)."),
    "Blocks in force": ("Қолданыстағы бұғаттаулар", "Действующие блокировки"),
    "Calls in the last 24 hours": ("Соңғы 24 сағаттағы қоңыраулар", "Звонки за последние 24 часа"),
    "1 hour": ("1 сағат", "1 час"),
    "24 hours": ("24 сағат", "24 часа"),
    "7 days": ("7 күн", "7 дней"),
    "abuse of staff": ("қызметкерлерді қорлау", "оскорбления сотрудников"),
    "prank calls": ("бұзақылық қоңыраулары", "хулиганские звонки"),
    "threats": ("қорқыту", "угрозы"),
    "repeated silent calls": ("үнсіз қайталанатын қоңыраулар", "повторные молчащие звонки"),
    "another reason": ("басқа себеп", "другая причина"),
    "Block caller": ("Бұғаттау", "Заблокировать"),
    "Lift block": ("Бұғаттауды алу", "Снять блокировку"),
    "blocked": ("бұғатталған", "заблокирован"),
    "until {time}": ("{time} дейін", "до {time}"),
    "How long": ("Қанша уақытқа", "На какой срок"),
    "Reason": ("Себебі", "Причина"),
    "in progress": ("жүріп жатыр", "идёт"),
    "Block this caller? They will hear that the line cannot take their call, and the help "
    "numbers.": (
        "Бұл адамды бұғаттау керек пе? Ол желі қоңырауын қабылдай алмайтынын және көмек нөмірлерін "
        "естиді.",
        "Заблокировать этого звонящего? Он услышит, что линия не может принять его звонок, и "
        "номера помощи."),
    "This was not done: the connection to the server failed. Check the connection and try again.": (
        "Бұл орындалмады: серверге қосылу сәтсіз болды. Байланысты тексеріп, қайталап көріңіз.",
        "Это не выполнено: не удалось связаться с сервером. Проверьте подключение и попробуйте "
        "ещё раз."),
    "Choose how long the block lasts: 1 hour, 24 hours or 7 days.": (
        "Бұғаттау мерзімін таңдаңыз: 1 сағат, 24 сағат немесе 7 күн.",
        "Выберите срок блокировки: 1 час, 24 часа или 7 дней."),
    "Choose a reason for the block.": ("Бұғаттау себебін таңдаңыз.", "Выберите причину блокировки."),
    "This caller cannot be recognised (the number was withheld, or the call came before caller "
    "tokens were on), so they cannot be blocked.": (
        "Бұл адамды тану мүмкін емес (нөмір жасырылған немесе қоңырау таңбалауыштар қосылғанға "
        "дейін түскен), сондықтан оны бұғаттауға болмайды.",
        "Этого звонящего нельзя распознать (номер скрыт или звонок был до включения токенов), "
        "поэтому заблокировать его нельзя."),
    "This call was made before this month's key change: its caller can no longer be recognised, "
    "so they cannot be blocked.": (
        "Бұл қоңырау осы айдағы кілт ауысқанға дейін болған: оны шалған адамды енді тану мүмкін "
        "емес, сондықтан оны бұғаттауға болмайды.",
        "Этот звонок был до смены ключа в этом месяце: звонящего больше нельзя распознать, "
        "поэтому заблокировать его нельзя."),
    "This caller is already blocked at this centre. Lift that block first to change it.": (
        "Бұл адам осы орталықта бұғатталған. Өзгерту үшін алдымен сол бұғаттауды алыңыз.",
        "Этот звонящий уже заблокирован в этом центре. Чтобы изменить блокировку, сначала снимите её."),
    "This block has already ended.": ("Бұл бұғаттау аяқталып қойған.", "Эта блокировка уже закончилась."),
    "There is no such call or block.": ("Мұндай қоңырау немесе бұғаттау жоқ.",
                                        "Такого звонка или блокировки нет."),
    "This call or block belongs to another centre.": (
        "Бұл қоңырау немесе бұғаттау басқа орталыққа тиесілі.",
        "Этот звонок или блокировка относится к другому центру."),
})

# ---- offers that cannot be missed (console) ----
T.update({
    "Skip to main content": ("Негізгі мазмұнға өту", "Перейти к основному содержанию"),
    "Available again": ("Қайтадан қолжетімді", "Снова доступен"),
    "Allow desktop alerts": ("Жұмыс үстелі хабарламаларына рұқсат беру",
                             "Разрешить уведомления на рабочем столе"),
    "Call ringing": ("Қоңырау түсіп тұр", "Входящий звонок"),
    "Missed call": ("Қабылданбаған қоңырау", "Пропущенный звонок"),
    "Incoming call: {language}, {caller}, waiting {wait}.": (
        "Кіріс қоңырау: {language}, {caller}, күтіп тұрғанына {wait}.",
        "Входящий звонок: {language}, {caller}, ждёт {wait}."),
    "Incoming call: {language}, waiting {wait}.": (
        "Кіріс қоңырау: {language}, күтіп тұрғанына {wait}.",
        "Входящий звонок: {language}, ждёт {wait}."),
    "{seconds} s": ("{seconds} с", "{seconds} с"),
    "{minutes} min {seconds} s": ("{minutes} мин {seconds} с", "{minutes} мин {seconds} с"),
    "Open the console to answer.": ("Жауап беру үшін консольді ашыңыз.",
                                    "Откройте консоль, чтобы ответить."),
    "You missed a call: it rang for {seconds} s and went back to the queue for the next person. "
    "You are now on Break.": (
        "Сіз қоңырауды өткізіп алдыңыз: ол {seconds} с шырылдап, келесі маманға беру үшін "
        "кезекке қайтты. Қазір сіз үзілістесіз.",
        "Вы пропустили звонок: он звонил {seconds} с и вернулся в очередь к следующему "
        "специалисту. Сейчас у вас перерыв."),
    "You are not on duty now: calls go to the psychologists on duty. Ask the supervisor on call "
    "to put you on duty.": (
        "Сіз қазір кезекшілікте емессіз: қоңыраулар кезекші психологтарға түседі. Кезекшілікке "
        "қою үшін кезекші супервайзерге жүгініңіз.",
        "Сейчас вы не на дежурстве: звонки получают дежурные психологи. Попросите дежурного "
        "супервайзера поставить вас на дежурство."),
    "Desktop alerts are on.": ("Жұмыс үстелі хабарламалары қосулы.",
                               "Уведомления на рабочем столе включены."),
    "Desktop alerts are blocked for this site in the browser's settings.": (
        "Бұл сайт үшін жұмыс үстелі хабарламалары браузер баптауларында бұғатталған.",
        "Уведомления на рабочем столе для этого сайта запрещены в настройках браузера."),
    "This browser cannot show desktop alerts; keep this tab in view.": (
        "Бұл браузер жұмыс үстелі хабарламаларын көрсете алмайды; бұл қойындыны көз алдыңызда "
        "ұстаңыз.",
        "Этот браузер не умеет показывать уведомления на рабочем столе; держите эту вкладку на виду."),
})

# ---- duty made visible and escalation cards (supervisor) ----
T.update({
    "Why it is not ringing for each person signed in": (
        "Неліктен жүйеге кірген әр адамға шырылдамайды",
        "Почему звонок не поступает каждому, кто в системе"),
    "it is ringing for her, or will at the next routing pass": (
        "қоңырау оған түсіп жатыр немесе келесі бөлуде түседі",
        "звонок поступает ей сейчас или поступит при следующем распределении"),
    "on a call": ("қоңырауда", "на звонке"),
    "in wrap-up after a call": ("қоңыраудан кейін қорытындылауда", "завершает работу после звонка"),
    "on a break": ("үзілісте", "на перерыве"),
    "signed out": ("жүйеден шыққан", "не в системе"),
    "her console has not been heard from (closed or lost connection)": (
        "оның консолінен хабар жоқ (жабылған немесе байланыс үзілген)",
        "её консоль не отвечает (закрыта или потеряно соединение)"),
    "not on duty now by the rota": ("кесте бойынша қазір кезекшілікте емес",
                                    "сейчас не дежурит по графику"),
    "her console is ringing with another call": ("оның консоліне басқа қоңырау түсіп жатыр",
                                                 "на её консоль поступает другой звонок"),
    "does not speak the caller's language": ("қоңырау шалушының тілінде сөйлемейді",
                                             "не говорит на языке звонящего"),
    "another centre: she may take it only after the centre's maximum wait": (
        "басқа орталық: қоңырауды орталықтың ең ұзақ күту уақыты өткен соң ғана ала алады",
        "другой центр: может принять звонок только после максимального ожидания центра"),
    "the call is ringing for someone else": ("қоңырау басқа адамға түсіп жатыр",
                                             "звонок сейчас поступает другому сотруднику"),
    "she declined or missed this call already; she is tried again only if nobody else can take it": (
        "ол бұл қоңыраудан бас тартқан немесе өткізіп алған; оны басқа ешкім ала алмаса ғана "
        "қайта ұсынады",
        "она уже отклонила или пропустила этот звонок; его предложат ей снова, только если больше "
        "некому принять"),
    "Offer this call to": ("Бұл қоңырауды ұсыну:", "Предложить звонок:"),
    "Ring her now": ("Қазір қоңырау беру", "Направить ей сейчас"),
    "Nobody of this centre is Available": ("Бұл орталықта қолжетімді ешкім жоқ",
                                           "В этом центре нет доступных сотрудников"),
    "Ringing for {name} now.": ("Қоңырау қазір {name} консоліне түсіп жатыр.",
                                "Звонок сейчас поступает {name}."),
    "Put on duty now": ("Қазір кезекшілікке қою", "Поставить на дежурство сейчас"),
    "Put {name} on duty now": ("{name} қызметкерін қазір кезекшілікке қою",
                               "Поставить {name} на дежурство сейчас"),
    "Put on duty": ("Кезекшілікке қою", "Поставить на дежурство"),
    "On duty until": ("Кезекшілік аяқталатын уақыт", "На дежурстве до"),
    "An ad-hoc line shift from now, added to the rota and checked against the working-time rules "
    "like any shift. Calls are offered to her at once.": (
        "Қазірден басталатын қосымша желі ауысымы: кестеге енгізіледі және кез келген ауысым сияқты "
        "жұмыс уақыты ережелеріне тексеріледі. Қоңыраулар оған бірден ұсынылады.",
        "Внеплановая смена на линии с этого момента: вносится в график и проверяется по правилам "
        "рабочего времени, как любая смена. Звонки начнут поступать ей сразу."),
    "Cancel": ("Болдырмау", "Отмена"),
    "on duty": ("кезекшілікте", "на дежурстве"),
    "not on duty": ("кезекшілікте емес", "не на дежурстве"),
    "{name} is on duty until {time}.": ("{name} {time} дейін кезекшілікте.",
                                        "{name} на дежурстве до {time}."),
    "Call at {time}": ("Қоңырау уақыты: {time}", "Звонок в {time}"),
    "raised by {name}": ("хабарлаған: {name}", "автор: {name}"),
    "caller type not given": ("қоңырау шалушы түрі көрсетілмеген", "тип звонящего не указан"),
    "language not chosen": ("тіл таңдалмаған", "язык не выбран"),
    "due by {time} today": ("мерзімі: бүгін {time} дейін", "срок: сегодня до {time}"),
    "due by {time} tomorrow": ("мерзімі: ертең {time} дейін", "срок: завтра до {time}"),
    "due by {time} on {date}": ("мерзімі: {date}, {time} дейін", "срок: {date} до {time}"),
    "overdue: was due by {time} on {date}": ("мерзімі өтті: {date}, {time} дейін болатын",
                                             "просрочено: срок был {date} до {time}"),
    "Why was this not notified?": ("Неге хабарланбады?", "Почему не оповестили?"),
    "Close with these reasons": ("Осы себептермен жабу", "Закрыть с этими причинами"),
    "Some bodies are not ticked. Write why each one was not notified, then close.": (
        "Кейбір органдар белгіленбеген. Әрқайсысына неге хабарланбағанын жазып, содан кейін жабыңыз.",
        "Не все органы отмечены. Напишите, почему каждый из них не оповещён, затем закройте."),
    "Not closed: tick each body notified, or write why it was not notified: %(bodies)s.": (
        "Жабылмады: хабарланған әр органды белгілеңіз немесе неге хабарланбағанын жазыңыз: "
        "%(bodies)s.",
        "Не закрыто: отметьте каждый оповещённый орган или напишите, почему он не оповещён: "
        "%(bodies)s."),
    "Not handed: this call is no longer waiting (it was answered, or the caller left).": (
        "Берілмеді: бұл қоңырау енді күтуде емес (оған жауап берілді немесе қоңырау шалушы кетті).",
        "Не передано: звонок больше не ждёт (на него ответили или звонящий положил трубку)."),
    "Not handed: %(name)s is no longer Available.": (
        "Берілмеді: %(name)s енді қолжетімді емес.", "Не передано: %(name)s больше не в статусе «Доступен»."),
    "Not handed: %(name)s's console is ringing with another call. Try again in a moment.": (
        "Берілмеді: %(name)s консоліне басқа қоңырау түсіп жатыр. Біраздан соң қайталап көріңіз.",
        "Не передано: на консоль %(name)s поступает другой звонок. Попробуйте чуть позже."),
    "Not handed: choose a psychologist of your centre.": (
        "Берілмеді: өз орталығыңыздың психологын таңдаңыз.",
        "Не передано: выберите психолога своего центра."),
    "Choose a person from the list.": ("Тізімнен адамды таңдаңыз.", "Выберите человека из списка."),
    "until: a time as HH:MM; reason: text of at most 500 characters": (
        "until: уақыт СС:ММ түрінде; reason: 500 таңбадан аспайтын мәтін",
        "until: время в виде ЧЧ:ММ; reason: текст не длиннее 500 символов"),
    "This breaks working-time rules. To put %(name)s on duty anyway, write a reason; it is kept "
    "with the shift.": (
        "Бұл жұмыс уақыты ережелерін бұзады. %(name)s бәрібір кезекшілікке қою үшін себебін жазыңыз; "
        "ол ауысыммен бірге сақталады.",
        "Это нарушает правила рабочего времени. Чтобы всё же поставить %(name)s на дежурство, "
        "напишите причину; она сохранится вместе со сменой."),
})
