"""Ask for help and transfers in the register; later sections are appended here."""

from helpline.translations.catalogue.languages import T

# ---- ask for help and transfers in the register ----
T.update({
    "Not sent: you are not on this call any more.": (
        "Жіберілмеді: сіз бұл қоңырауда енді жоқсыз.", "Не отправлено: вы больше не на этом звонке."),
    "Not sent: your centre has no supervisor to alert. Call another centre's supervisor or the head "
    "of your centre.": (
        "Жіберілмеді: орталығыңызда хабарлайтын супервайзер жоқ. Басқа орталықтың супервайзеріне "
        "немесе орталық басшысына қоңырау шалыңыз.",
        "Не отправлено: в вашем центре нет супервайзера, которого можно оповестить. Позвоните "
        "супервайзеру другого центра или руководителю своего центра."),
    "This call has ended; the psychologist is no longer on it.": (
        "Бұл қоңырау аяқталды; психолог онда енді жоқ.",
        "Этот звонок завершён; психолог больше не на линии."),
    "Not transferred: you are not on this call any more.": (
        "Ауыстырылмады: сіз бұл қоңырауда енді жоқсыз.", "Не переведено: вы больше не на этом звонке."),
    "Not transferred: the caller is not connected to you yet.": (
        "Ауыстырылмады: қоңырау шалушы сізге әлі қосылған жоқ.",
        "Не переведено: абонент ещё не соединён с вами."),
    "Not transferred: choose another centre than the caller's.": (
        "Ауыстырылмады: қоңырау шалушының орталығынан басқа орталықты таңдаңыз.",
        "Не переведено: выберите другой центр, не тот, куда позвонил абонент."),
    "Not transferred: that centre does not answer in this language. Choose one of its languages.": (
        "Ауыстырылмады: ол орталық бұл тілде жауап бермейді. Оның тілдерінің бірін таңдаңыз.",
        "Не переведено: этот центр не отвечает на этом языке. Выберите один из его языков."),
    "Choose a centre and a language.": ("Орталық пен тілді таңдаңыз.", "Выберите центр и язык."),
    "Transfers to another centre": ("Басқа орталыққа ауыстырулар", "Переводы в другой центр"),
    "Supervisor interventions (help asked, supervisor joined)": (
        "Супервайзердің араласуы (көмек сұралды, супервайзер қосылды)",
        "Участие супервайзера (просьбы о помощи, подключения супервайзера)"),
    "Help and transfer": ("Көмек және ауыстыру", "Помощь и перевод"),
    "Ask for help": ("Көмек сұрау", "Позвать на помощь"),
    "Transfer to another centre": ("Басқа орталыққа ауыстыру", "Перевести в другой центр"),
    "The caller hears that they are being put through to another centre and waits at the head of its "
    "queue. You go to wrap-up with the contact record.": (
        "Қоңырау шалушы басқа орталыққа қосылып жатқанын естиді де, оның кезегінің басында күтеді. "
        "Сіз байланыс жазбасымен қорытындылауға көшесіз.",
        "Абонент услышит, что его переводят в другой центр, и будет ждать первым в его очереди. "
        "Вы перейдёте к завершению с карточкой обращения."),
    "Put the caller through": ("Қоңырау шалушыны қосу", "Перевести абонента"),
    "Alerting the supervisor on call…": ("Кезекші супервайзерге хабарланып жатыр…",
                                         "Оповещаем дежурного супервайзера…"),
    "Supervisor alerted: {names}. Stay with the caller.": (
        "Супервайзерге хабарланды: {names}. Қоңырау шалушымен бірге болыңыз.",
        "Супервайзер оповещён: {names}. Оставайтесь с абонентом."),
    "NOT SENT: no supervisor has been alerted. {error} Call the supervisor on call yourself: {names}.": (
        "ЖІБЕРІЛМЕДІ: ешбір супервайзерге хабарланған жоқ. {error} Кезекші супервайзерге өзіңіз "
        "қоңырау шалыңыз: {names}.",
        "НЕ ОТПРАВЛЕНО: ни один супервайзер не оповещён. {error} Позвоните дежурному супервайзеру "
        "сами: {names}."),
    "{name} is on the way.": ("{name} келе жатыр.", "{name} уже идёт."),
    "Loading the centres…": ("Орталықтар жүктеліп жатыр…", "Загружаем центры…"),
    "There is no other centre to transfer to.": ("Ауыстыратын басқа орталық жоқ.",
                                                 "Нет другого центра для перевода."),
    "Putting the caller through…": ("Қоңырау шалушы қосылып жатыр…", "Переводим абонента…"),
    "The caller was put through to the queue of {centre}. Finish the contact record.": (
        "Қоңырау шалушы {centre} кезегіне қосылды. Байланыс жазбасын аяқтаңыз.",
        "Абонент переведён в очередь центра {centre}. Заполните карточку обращения."),
    "The phone network did not move the caller: if you still hear them, stay with them and tell your "
    "supervisor.": (
        "Телефон желісі қоңырау шалушыны ауыстырмады: егер оны әлі естісеңіз, онымен бірге болып, "
        "супервайзеріңізге айтыңыз.",
        "Телефонная сеть не перевела абонента: если вы ещё слышите его, оставайтесь с ним и сообщите "
        "супервайзеру."),
    "The helpline has not confirmed the transfer yet. Stay with the caller; if this stays, tell your "
    "supervisor.": (
        "Сенім желісі ауыстыруды әлі растаған жоқ. Қоңырау шалушымен бірге болыңыз; бұл жалғаса берсе, "
        "супервайзеріңізге айтыңыз.",
        "Линия доверия ещё не подтвердила перевод. Оставайтесь с абонентом; если это не изменится, "
        "сообщите супервайзеру."),
    "Requests for help": ("Көмек сұраулары", "Просьбы о помощи"),
    "no risk": ("қауіп жоқ", "риска нет"),
    "low risk": ("қауіп төмен", "низкий риск"),
    "medium risk": ("қауіп орташа", "средний риск"),
    "high risk": ("қауіп жоғары", "высокий риск"),
    "risk not assessed yet": ("қауіп әлі бағаланған жоқ", "риск ещё не оценён"),
    "{name} asks for help on a call now. See \"Requests for help\".": (
        "{name} дәл қазір қоңырау кезінде көмек сұрап тұр. «Көмек сұраулары» бөлімін қараңыз.",
        "{name} просит помощи на звонке прямо сейчас. См. «Просьбы о помощи»."),
    "{name} asks for help ({time})": ("{name} көмек сұрайды ({time})", "{name} просит помощи ({time})"),
    "On my way": ("Келе жатырмын", "Иду"),
    "You answered: on your way.": ("Сіз жауап бердіңіз: келе жатырсыз.", "Вы ответили: уже идёте."),
    ("Passed to another centre %(num)s time.", "Passed to another centre %(num)s times."): (
        ("Басқа орталыққа %(num)s рет ауыстырылды.", "Басқа орталыққа %(num)s рет ауыстырылды."),
        ("Передан в другой центр %(num)s раз.", "Передан в другой центр %(num)s раза.",
         "Передан в другой центр %(num)s раз.")),
    "Staff on this call: %(names)s.": ("Қоңырауға қатысқан қызметкерлер: %(names)s.",
                                       "Сотрудники на этом звонке: %(names)s."),
    "Transfers": ("Ауыстырулар", "Переводы"),
})

# ---- warm transfer ----
T.update({
    "%(name)s is not available now. Choose another colleague.": (
        "%(name)s қазір бос емес. Басқа әріптесті таңдаңыз.",
        "%(name)s сейчас недоступен(-на). Выберите другого коллегу."),
    "A supervisor of my centre": ("Менің орталығымның супервизоры", "Супервизор моего центра"),
    "Anyone available: {centre}, {language}": ("Кез келген бос маман: {centre}, {language}",
                                               "Любой свободный специалист: {centre}, {language}"),
    "Choose a colleague, a supervisor, or a centre and a language.": (
        "Әріптесті, супервизорды немесе орталық пен тілді таңдаңыз.",
        "Выберите коллегу, супервизора или центр и язык."),
    "Colleague to consult": ("Кеңесетін әріптес", "С кем посоветоваться"),
    "Consultation from {name}: they will talk to you while their caller holds.": (
        "{name} кеңес сұрайды: қоңырау шалушы күтіп тұрғанда сізбен сөйлеседі.",
        "{name} просит консультации: поговорит с вами, пока абонент ждёт на линии."),
    "Drop the colleague's line": ("Әріптестің желісін үзу", "Оборвать линию коллеги"),
    "During a warm transfer: as if the colleague's connection failed.": (
        "Жылы ауыстыру кезінде: әріптестің байланысы үзілгендей.",
        "Во время тёплого перевода: как будто у коллеги пропала связь."),
    "Find colleagues to consult": ("Кеңесетін әріптестерді табу", "Найти коллег для консультации"),
    "Hand the caller over": ("Қоңырау шалушыны тапсыру", "Передать абонента"),
    "Hold the caller and consult": ("Қоңырау шалушыны күттіріп, кеңесу",
                                    "Поставить абонента на удержание и посоветоваться"),
    "No colleague is available now.": ("Қазір бос әріптес жоқ.", "Сейчас нет свободных коллег."),
    "Nobody like that is available now. Choose another colleague.": (
        "Қазір ондай бос маман жоқ. Басқа әріптесті таңдаңыз.",
        "Сейчас такого свободного специалиста нет. Выберите другого коллегу."),
    "Not done: no colleague is on the line.": ("Орындалмады: желіде әріптес жоқ.",
                                               "Не сделано: на линии нет коллеги."),
    "Not done: the caller is not connected to you.": ("Орындалмады: қоңырау шалушы сізге қосылмаған.",
                                                      "Не сделано: абонент не соединён с вами."),
    "Not done: you are not on this call any more.": ("Орындалмады: сіз енді бұл қоңырауда емессіз.",
                                                     "Не сделано: вы больше не на этом звонке."),
    "Take the caller back": ("Қоңырау шалушыны қайта алу", "Вернуть абонента себе"),
    "The caller hears hold music while you talk to your colleague. Then hand the caller over, or take "
    "them back.": (
        "Сіз әріптесіңізбен сөйлескенде қоңырау шалушы күту әуенін естиді. Содан кейін оны тапсырасыз "
        "немесе қайта аласыз.",
        "Пока вы говорите с коллегой, абонент слышит музыку ожидания. Затем передайте абонента или "
        "верните его себе."),
    "The caller is back with you, off hold.": ("Қоңырау шалушы күтуден шығып, қайта сізбен.",
                                               "Абонент снова с вами, удержание снято."),
    "The caller is now with {name}. Finish the contact record.": (
        "Қоңырау шалушы енді {name} маманында. Байланыс жазбасын аяқтаңыз.",
        "Абонент теперь у специалиста {name}. Заполните карточку обращения."),
    "The caller is on hold, hearing music. You are talking to {name}.": (
        "Қоңырау шалушы күтуде, әуен естіп тұр. Сіз {name} маманымен сөйлесіп жатырсыз.",
        "Абонент на удержании и слышит музыку. Вы говорите со специалистом {name}."),
    "The caller was not handed over": ("Қоңырау шалушы тапсырылмады", "Абонент не передан"),
    "The caller was not put on hold": ("Қоңырау шалушы күтуге қойылмады",
                                       "Абонент не поставлен на удержание"),
    "Waiting for the helpline…": ("Сенім желісінің жауабын күтудеміз…", "Ждём ответа линии…"),
    "Warm transfer": ("Жылы ауыстыру", "Тёплый перевод"),
    "You are already talking to a colleague. Hand over or take the caller back.": (
        "Сіз әріптесіңізбен сөйлесіп жатырсыз. Қоңырау шалушыны тапсырыңыз немесе қайта алыңыз.",
        "Вы уже говорите с коллегой. Передайте абонента или верните его себе."),
    "Your colleague was not brought in": ("Әріптесіңіз қосылмады", "Коллега не подключён(-а)"),
    "The caller was not taken off hold": ("Қоңырау шалушы күтуден шығарылмады",
                                          "Удержание абонента не снято"),
    "a colleague": ("әріптес", "коллега"),
    "on hold, music": ("күтуде, әуен", "на удержании, музыка"),
    "{name} handed the caller over to you. You are now their psychologist.": (
        "{name} қоңырау шалушыны сізге тапсырды. Енді сіз оның психологысыз.",
        "{name} передал(а) вам абонента. Теперь вы его психолог."),
    "{name}'s line dropped: the caller is back with you, off hold. Tell the caller you are still here.": (
        "{name} желісі үзілді: қоңырау шалушы күтуден шығып, қайта сізбен. Оған әлі осында екеніңізді "
        "айтыңыз.",
        "Линия специалиста {name} оборвалась: абонент снова с вами, удержание снято. Скажите абоненту, "
        "что вы по-прежнему здесь."),
})

# ---- transfers that never strand ----
T.update({
    "Not transferred: the phone network did not move the caller. The caller is still with you.": (
        "Ауыстырылмады: телефон желісі қоңырау шалушыны ауыстырмады. Қоңырау шалушы әлі сізбен.",
        "Перевод не состоялся: телефонная сеть не перевела абонента. Абонент по-прежнему с вами."),
    "{name} did not answer: the caller is back with you, off hold. Tell the caller you are still here.": (
        "{name} жауап бермеді: қоңырау шалушы күтуден шығып, қайта сізбен. Оған әлі осында екеніңізді "
        "айтыңыз.",
        "Специалист {name} не ответил(а): абонент снова с вами, удержание снято. Скажите абоненту, "
        "что вы по-прежнему здесь."),
    # ---- warm transfer: a carrier step not done ----
    "The caller may still be hearing hold music: press Take the caller back to try again (the helpline "
    "also keeps trying). If it does not work, tell your supervisor.": (
        "Қоңырау шалушы әлі күту әуенін естіп тұруы мүмкін: қайталап көру үшін «Қоңырау шалушыны қайта "
        "алу» түймесін басыңыз (жүйе де әрекетін қайталай береді). Болмаса, супервизорыңызға айтыңыз.",
        "Абонент, возможно, всё ещё слышит музыку ожидания: нажмите «Вернуть абонента себе», чтобы "
        "попробовать снова (система тоже продолжает попытки). Если не получится, сообщите супервизору."),
    "{name} is no longer on the line, but the phone network did not take the caller off hold: the caller "
    "may still be hearing hold music. Press Take the caller back to try again (the helpline also keeps "
    "trying). If it does not work, tell your supervisor.": (
        "{name} енді желіде жоқ, бірақ телефон желісі қоңырау шалушыны күтуден шығармады: ол әлі күту "
        "әуенін естіп тұруы мүмкін. Қайталап көру үшін «Қоңырау шалушыны қайта алу» түймесін басыңыз "
        "(жүйе де әрекетін қайталай береді). Болмаса, супервизорыңызға айтыңыз.",
        "Специалиста {name} больше нет на линии, но телефонная сеть не сняла абонента с удержания: "
        "возможно, он всё ещё слышит музыку ожидания. Нажмите «Вернуть абонента себе», чтобы попробовать "
        "снова (система тоже продолжает попытки). Если не получится, сообщите супервизору."),
    "The phone network has now taken the caller off hold: the caller is back with you. Tell the caller "
    "you are still here.": (
        "Телефон желісі қоңырау шалушыны күтуден енді шығарды: ол қайта сізбен. Оған әлі осында "
        "екеніңізді айтыңыз.",
        "Телефонная сеть сняла абонента с удержания: он снова с вами. Скажите абоненту, что вы "
        "по-прежнему здесь."),
    "The caller is back with you, but the phone network did not take {name} off the call: they may "
    "still hear you and the caller. Ask {name} to hang up, or tell your supervisor.": (
        "Қоңырау шалушы қайта сізбен, бірақ телефон желісі {name} маманын қоңыраудан шығармады: ол сізді "
        "де, қоңырау шалушыны да естуі мүмкін. {name} маманынан тұтқаны қоюды сұраңыз немесе "
        "супервизорыңызға айтыңыз.",
        "Абонент снова с вами, но телефонная сеть не отключила специалиста {name} от звонка: он(а) может "
        "слышать вас и абонента. Попросите специалиста {name} положить трубку или сообщите супервизору."),
    "The phone network did not take you off {name}'s call: you may still hear the caller. Reload this "
    "page to leave the call, and tell your supervisor.": (
        "Телефон желісі сізді {name} маманының қоңырауынан шығармады: сіз қоңырау шалушыны естуіңіз "
        "мүмкін. Қоңыраудан шығу үшін бұл бетті қайта жүктеңіз және супервизорыңызға айтыңыз.",
        "Телефонная сеть не отключила вас от звонка специалиста {name}: вы можете слышать абонента. "
        "Перезагрузите эту страницу, чтобы выйти из звонка, и сообщите супервизору."),
    "The phone network did not confirm that your line left the call you handed over to {name}. This "
    "page has hung up its line; if you still hear the caller, reload the page and tell your supervisor.": (
        "Телефон желісі {name} маманына тапсырған қоңырауыңыздан желіңіздің шыққанын растамады. Бұл бет "
        "өз желісін үзді; қоңырау шалушыны әлі естісеңіз, бетті қайта жүктеп, супервизорыңызға айтыңыз.",
        "Телефонная сеть не подтвердила, что ваша линия вышла из звонка, переданного специалисту {name}. "
        "Эта страница свою линию отключила; если вы всё ещё слышите абонента, перезагрузите страницу и "
        "сообщите супервизору."),
})
