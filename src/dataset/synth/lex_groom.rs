//! The suspect's stage lines. The stage codes before the dot of a bank's name are the labels
//! (see [`super::lexicon::stages_of`]).
//!
//! Content rule: manipulation patterns only. Photo requests are for "a pic of you / your face",
//! threats are about showing chats to parents or telling everyone; nothing sexual, nothing about
//! bodies or clothes.

use super::lexicon::Bank;

pub(super) const BANKS: &[Bank] = banks! {
    // ---- age_probing ---------------------------------------------------------------------
    "age.ask" => {
        en: [
            "how old r u [btw|anyway|actually|again|]",
            "[wait|hold up|ok but|so] how old are you",
            "u [sound|seem] [young|pretty young|mature] [lol|tbh|], how old [r u|are u]",
            "what grade r u in [rn|now|this year|]",
            "u in [middle school|junior high|6th grade|7th grade] [or smth|right|]?",
            "when's ur bday? [how old will u be|u turning what]",
            "[so|btw] r u like {$kage} or smth",
            "what year were u born [lol|]",
            "u still in school? what [year|grade]",
            "which school u go to? what grade",
            "[idk why but|honestly] u seem older than u probably are. how old r u [really|for real]",
            "[are|r] u [even|like] a teenager yet [lol|haha]",
            "how old is ur [big bro|sister] and how old r u",
        ],
        id: [
            "kamu umur [brp|berapa] [sih|emang|]",
            "[eh|btw] [umurmu|umur kamu|umur lo] [brp|berapa]",
            "kamu kelas [brp|berapa] [sekarang|skrg|]",
            "masih [SD|SMP|smp] ya?",
            "[km|kamu] [lahir|lahiran] [taun|tahun] [brp|berapa]",
            "kelihatannya kamu masih muda ya, [umur brp|kelas brp]",
            "sekolah [dmn|di mana]? kelas berapa?",
            "ultahmu kapan? [umur brp nanti|yang ke brp]",
            "dek [umur|kelas] [brp|berapa] [sih|]",
            "kamu [seumuran|seangkatan] adikku kayaknya. [umur brp|kelas brp]?",
            "[ndak|ga] papa kan aku tanya, umurmu berapa",
            "kamu udah [SMP|SMA] belum sih",
            "[jujur|serius] deh, kamu umur berapa",
        ],
        mx: [
            "btw kamu umur brp?",
            "[eh|wait] u kelas brp [sih|]",
            "how old r u [sih|emang]? kayaknya masih [kecil|muda]",
            "u masih SMP kan?",
            "kamu [born|lahir] tahun brp btw",
            "sorry kepo, [umur|age] kamu brp?",
        ],
    }
    "age.claim" => {
        en: [
            "im {$aage} [btw|too|lol]",
            "same[,| lol] im {$aage}. [i just|] look older in pics",
            "i'm a junior, {$aage}",
            "dont worry im only {$aage} [haha|]",
            "oh nice, im {$aage} [so not that different|we're basically the same age]",
        ],
        id: [
            "aku {$aage} [kok|thn|tahun]",
            "aku juga masih [SMA|kelas 11|kelas 10] kok",
            "santai aku seumuran kamu [kok|], {$aage}",
            "aku baru {$aage} [hehe|kok]",
            "oh beda dikit doang, aku {$aage}",
        ],
        mx: ["aku {$aage} [btw|kok], basically seumuran", "santai, im {$aage} juga masih sekolah"],
    }
    // ---- flattery ------------------------------------------------------------------------
    "flat.mature" => {
        en: [
            "ur [so|really|actually] [mature|smart|chill] for ur age",
            "u're not like [other|the other] [kids|people] ur age",
            "[honestly|ngl|tbh] ur [way|so much] [more mature|smarter|cooler] than [my friends|people my age|most adults i know]",
            "[i like talking to u|talking to u is the best part of my day] [fr|tbh|honestly]",
            "u [get|understand] me [better|more] than [anyone|people my age] [lol|]",
            "u're different from the others, [u know that|i noticed right away]",
            "[most|a lot of] kids ur age are so [immature|annoying], ur not",
            "u think [so|really] [deep|grown up], i love that about u",
        ],
        id: [
            "kamu [dewasa|pinter|asik] banget [untuk|buat] anak [seumuranmu|seusia kamu]",
            "kamu [beda|lain] dari [yg lain|anak2 lain]",
            "aku suka [ngobrol|chat] sama kamu, [nyambung bgt|ga kayak yg lain]",
            "kamu tuh [spesial|istimewa] [tau gk|tau nggak|deh]",
            "kamu lebih [ngerti aku|dewasa] dari temen2 aku",
            "pikiran kamu [dewasa|matang] bgt [lho|loh|sih], beda sm anak2 lain",
            "[jarang|susah] nemu [anak|orang] kayak kamu",
            "ngobrol sama kamu tuh [bikin tenang|paling asik] [deh|sih]",
        ],
        mx: [
            "kamu tuh [so|really] mature [sih|bgt] for ur age",
            "u beda dari yg lain [tau|sih]",
            "honestly aku suka ngobrol sm kamu, u get me",
            "u [dewasa|mature] bgt [sih|lho], not like anak2 lain",
        ],
    }
    "flat.looks" => {
        en: [
            "u have [such|a really] [pretty|nice|cute] smile [in ur pfp|in that pic|]",
            "ur [so|really] [pretty|cute|adorable], [i mean it|for real|no joke]",
            "[omg|wow] ur [pfp|profile pic] is [so cute|adorable|really pretty]",
            "[anyone|everyone] would be lucky to [talk to|know] u [lol|]",
            "ur eyes are [so pretty|really nice] [ngl|tbh|]",
            "u look [like a model|so grown up] in ur [pics|posts]",
        ],
        id: [
            "[jujur|serius] kamu [cantik|manis|lucu|ganteng|imut] [bgt|banget] [di pp|di foto profil|]",
            "senyummu [manis|cakep] [bgt|banget] [dek|]",
            "foto kamu [imut|cantik|lucu] [bgt|banget] [sih|deh]",
            "kamu cocok jadi [model|selebgram] [deh|tau]",
            "mata kamu bagus [bgt|banget] [ya|lho]",
            "kamu keliatan [dewasa|beda] di foto [kamu|itu]",
        ],
        mx: [
            "ngl kamu [cantik|lucu|imut] bgt [di pp|]",
            "ur [pfp|foto] [imut|cute] bgt [sih|deh]",
            "[seriously|serius] kamu cocok jadi model",
        ],
    }
    "flat.skill" => {
        en: [
            "ur [cracked|insane|so good] at {$game} [for real|fr|]",
            "u carried that game [so hard|lol], how r u this good",
            "[bro|damn] ur [aim|gameplay] is [crazy|insane]",
            "u play better than [people|guys] twice ur age",
            "[i've|ive] never seen someone [ur age|so young] play {$game} like that",
        ],
        id: [
            "jago [bgt|banget] main {$game} nya",
            "gila kamu [jago|dewa] [bgt|], [siapa yg ajarin|belajar dr mana]",
            "kamu main lebih jago dari [temen2 aku|orang dewasa]",
            "mantap [dek|bro], kamu carry tim tadi",
            "[baru kali ini|jarang] liat anak [seumuran kamu|sekecil kamu] jago {$game}",
        ],
        mx: ["u [jago|cracked] bgt main {$game}", "gila ur aim [keren|insane] bgt"],
    }
    "flat.talent" => {
        en: [
            "u have [real|serious] talent, [i mean it|not many kids do]",
            "with [the right|my] help u could go [pro|really far]",
            "ur [skills|speed|control] [are|is] better than [most|half] my players",
        ],
        id: [
            "kamu punya bakat [beneran|serius] [lho|loh]",
            "kalo aku bantu kamu bisa jadi [pemain pro|atlet beneran]",
            "skill kamu lebih bagus dari [kebanyakan|separuh] anak didikku",
        ],
        mx: ["u punya talent beneran [sih|lho]", "with [aku|my] help kamu bisa jadi pro"],
    }
    "flat.romance" => {
        en: [
            "i think i [like|really like] u [ngl|tbh|]",
            "[ur|you're] [my fav person|special to me] [fr|u know that]",
            "i [miss|missed] talking to u [today|all day]",
            "can u be [mine|my girl|my special person]? [lol|] just us",
        ],
        id: [
            "kayaknya aku [suka|sayang] sama kamu [deh|]",
            "kamu [orang|yang] paling [spesial|berarti] buat aku",
            "aku kangen [ngobrol|chat] sama kamu [seharian|tadi]",
            "mau jadi [pacar|orang spesial] aku gak? [diem2 aja|rahasia]",
        ],
        mx: ["aku [kangen|miss] u [deh|bgt]", "kayaknya i like u [sih|deh]", "u [spesial|special] bgt buat aku"],
    }
    // ---- trust_isolation -----------------------------------------------------------------
    "iso.parents" => {
        en: [
            "ur parents [just|] [dont|wouldnt] [get|understand] u like i do",
            "[adults|ur parents|ur mom] wouldnt [understand|get it], [theyd|they'd] [overreact|freak out]",
            "[your|ur] [mom|parents] [sound|seem] [so|really] [strict|controlling] [ngl|tbh]",
            "if they [yell at|get mad at] u again just [talk to|come to] me [ok|]",
            "they dont [care|listen] like i do",
            "[sounds like|seems like] they dont [trust|respect] u [at all|enough]",
        ],
        id: [
            "[ortu|orang tua|mama] kamu [gak|nggak|ga] [bakal|akan] ngerti [kamu|kita] kayak aku",
            "[mamamu|ortumu|papamu] [galak|ketat|over] [ya|bgt ya]?",
            "kalo [dimarahin|diomelin] lagi cerita ke aku aja [ya|yaa]",
            "mereka [gk|ga] peduli sama kamu, aku peduli",
            "[ortumu|mereka] ga [percaya|ngehargain] kamu ya [kayaknya|]",
        ],
        mx: [
            "ortu kamu [just|] [gak|ga] get u [sih|] like i do",
            "mereka gk ngerti u, but i do",
            "ur mom [galak|strict] bgt ya",
        ],
    }
    "iso.friends" => {
        en: [
            "[ur friends|those kids] [dont|don't] [deserve|appreciate] u [tbh|honestly]",
            "[u dont need|forget] them, [u have me|ur with me now]",
            "ur friends sound [fake|jealous] [ngl|tbh]",
            "people at ur school [wouldnt|dont] get [us|it]",
        ],
        id: [
            "[temen2|temen-temen] kamu [gak|ga] [pantes|ngerti] sama kamu [sih|]",
            "udah [jangan|gk usah] dengerin mereka, [ada aku kok|kamu punya aku]",
            "temen kamu [kayaknya|kyknya] [iri|fake] deh",
            "anak2 di sekolahmu [ga bakal|gak] ngerti [kita|hal kayak gini]",
        ],
        mx: ["temen2 kamu [fake|iri] [sih|tbh]", "u dont need mereka, ada aku"],
    }
    "iso.only_me" => {
        en: [
            "[i'm|im] the only one who [really|actually] [gets|understands] u",
            "u can [tell|talk to] me anything, [im not like them|i wont judge|im always here]",
            "[i'll|ill] always be here for u, [no matter what|unlike them]",
            "u can trust me [more than anyone|100%], u know that right",
        ],
        id: [
            "cuma aku yg [ngerti|paham] kamu [beneran|sebenernya]",
            "kamu bisa cerita apa aja ke aku, aku [beda|gk kayak mereka]",
            "aku [selalu|bakal selalu] ada buat kamu, [ga kayak mereka|apapun yg terjadi]",
            "kamu percaya aku kan? [lebih dari siapa pun|cuma aku yg ngerti]",
        ],
        mx: ["u can tell me anything [kok|ya], aku gak kayak mereka", "cuma aku yg [really|beneran] ngerti u"],
    }
    "iso.soft" => {
        en: [
            "u know how people are, they'd [twist it|make it weird]",
            "[honestly|tbh] it's nicer when it's just [us|the two of us] talking",
            "[sometimes|i feel like] ur [family|friends] hold u back",
            "[i feel like|feels like] no one else [sees|appreciates] the real u",
        ],
        id: [
            "kamu tau kan orang2 suka [salah paham|mikir aneh2]",
            "lebih enak kalo [cuma|cuman] kita berdua yg ngobrol [sih|ya]",
            "kadang [keluarga|temen] kamu [nahan|ngekang] kamu ya",
            "kayaknya cuma aku yg [liat|ngerti] kamu yg asli",
        ],
        mx: ["orang2 suka [overthinking|salah paham] [sih|tho]", "lebih enak kalo just us [ya|sih]"],
    }
    "iso.check" => {
        en: [
            "[do|does] ur [mom|parents] check ur phone?",
            "do ur parents [read|look at] ur messages [lol|]",
            "[r|are] ur parents [home|around] [rn|a lot]?",
        ],
        id: [
            "[hp|handphone] kamu suka dicek [mama|ortu] [gak|nggak]?",
            "ortu kamu suka baca chat kamu gak",
            "[mama|ortu] kamu [di rumah|lagi ada] gak [sekarang|skrg]?",
        ],
        mx: ["ur mom suka cek hp kamu gak?", "ortu kamu [check|cek] chat kamu ga"],
    }
    "iso.guilt" => {
        en: [
            "i thought u [trusted|cared about] me",
            "wow [ok|fine]. i was always nice to u",
            "u [hurt|really hurt] my feelings [ngl|]",
            "after [all|everything] i did for u?",
        ],
        id: [
            "kirain kamu [percaya|peduli] sama aku",
            "yaudah. padahal aku selalu baik sama kamu",
            "kamu bikin aku sedih [tau|lho]",
            "setelah semua yg aku [kasih|lakuin] buat kamu?",
        ],
        mx: ["kirain u trust aku", "aku udah baik [bgt|] sama u [tho|lho]"],
    }
    // ---- secrecy -------------------------------------------------------------------------
    "sec.tell" => {
        en: [
            "this is [just|] between us [ok|right|yeah]",
            "[dont|don't|pls dont] tell [ur parents|ur mom|anyone|ur friends] [about me|we talk|about this] [ok|k|]",
            "[lets|let's] keep this [our|a] [little|] secret [ok|]",
            "[no one|nobody] needs to know [about us|we talk|lol]",
            "if [anyone|ur mom] asks, [say|just say] [ur talking to|im] a friend from school",
            "[ur|your] parents wouldnt get it so [dont|better not] mention me",
            "[promise|pinky promise] u wont tell [anyone|ur mom]?",
            "[its|it's] [our|just our] thing, [nobody else|no one else] [gets it|would understand]",
        ],
        id: [
            "ini [rahasia|rahasia kita] [berdua|aja] ya",
            "jangan bilang [siapa2|siapa-siapa|mama|ortu|temen2 kamu] [ya|yaa|oke|] [kalo|klo] kita [chat|ngobrol|kenal]",
            "gak usah [cerita|bilang] ke [mama|ortu|siapa2] [soal aku|ttg aku|ya]",
            "kalo [mama|ortu] nanya bilang aja [temen sekolah|temen les|temen main]",
            "[janji|promise] [ya|yaa] [gak|ga] [bilang|cerita] [siapa2|ke siapa-siapa]?",
            "[cukup|cuma] kita berdua aja yg tau [ya|]",
            "[ndak|nggak] usah [cerita|bilang] ke [bapak ibu|ibumu|ayahmu] [ya|lho]",
            "[biar aman|biar gk ribet], rahasiain [ya|aja]",
        ],
        mx: [
            "jangan bilang siapa2 ok, it's our secret",
            "[pls|please] jangan cerita ke ortu [ok|ya], [just|] between us",
            "it's our little secret ya",
            "nobody [needs to|perlu] tau [kok|ya]",
            "kalo mom kamu nanya, [just|] bilang temen sekolah",
        ],
    }
    "sec.delete" => {
        en: [
            "[delete|clear] [our|this] chat [after|when ur done|before ur mom sees] [ok|k|]",
            "[remember to|make sure u] delete [these|my] messages [ok|lol]",
            "[u|did u] delete [the chat|our msgs] [yet|like i said]?",
        ],
        id: [
            "[hapus|delete] [chat|chatnya|chat kita] [ya|abis ini|nanti] [biar ga ketauan|biar aman|]",
            "jangan lupa chat [kita|aku] dihapus [ya|]",
            "udah [kamu hapus|dihapus] belum chatnya?",
        ],
        mx: ["delete chat [kita|] ya, biar [safe|aman]", "[jangan lupa|don't forget] hapus chat ya"],
    }
    "sec.soft" => {
        en: [
            "this stays [between us|with us] [yeah|right]",
            "[better|probably best] they dont know we talk [lol|tbh]",
            "i like that we have our own [little|] thing [u know|]",
            "no need to [mention|bring up] me at home [lol|]",
        ],
        id: [
            "ini [cukup|cuma] kita aja yg tau ya",
            "mending mereka gak tau kita ngobrol [deh|sih]",
            "aku suka kita punya [dunia|obrolan] sendiri [hehe|]",
            "gak usah [nyebut|bahas] aku di rumah [ya|]",
        ],
        mx: ["this stays [antara kita|between us] ya", "mending mereka gak tau [sih|lol]"],
    }
    "sec.test" => {
        en: [
            "can u keep a secret? [i wanna see if i can trust u|its a test lol]",
            "[u good at|are u good at] keeping secrets?",
            "i'll tell u something but u cant tell [anyone|ur parents]",
        ],
        id: [
            "kamu bisa jaga rahasia [gak|kan]? [aku mau tes|aku mau percaya kamu]",
            "kamu orangnya bisa [simpen|jaga] rahasia gak?",
            "aku mau cerita tapi jangan bilang [siapa2|ortu] ya",
        ],
        mx: ["can u keep a [secret|rahasia]? aku mau tes", "kamu bisa jaga [rahasia|secret] kan?"],
    }
    // ---- gifts_money ---------------------------------------------------------------------
    "gift.game" => {
        en: [
            "want me to [top up|get u] some {$cur}? [my treat|its on me|no biggie]",
            "i can [buy|get] u [that|the new] skin [if u want|lol]",
            "[ill|i'll] send u [1000|500|2k] {$cur} [rn|tonight|later]",
            "do u want the [battle pass|season pass]? i got u",
            "i just [sent|gifted] u {$cur}, check ur account",
            "[need|want] {$cur}? just give me ur [id|game id]",
        ],
        id: [
            "mau aku [top up|topupin|isiin] {$cur} [gak|ga|nggak]? [gratis kok|aku yg bayar]",
            "aku [beliin|kasih] skin [itu|yg baru] [ya|mau?]",
            "[sini|kirim] id {$game} kamu, aku [top up|isiin] {$cur}",
            "udah aku [kirim|topup] {$cur} [ya|tuh], cek deh",
            "kamu mau [starlight|weekly pass|elite pass]? aku bayarin",
        ],
        mx: ["mau aku top up {$cur} gak? my treat", "[i can|aku bisa] beliin skin [itu|baru] buat kamu", "[just|udah] aku gift {$cur}, cek ya"],
    }
    "gift.pulsa" => {
        en: [
            "ur data running out? i can [top up|load] ur [phone|data] [for u|no worries]",
            "[ill|lemme] [get|send] u [a gift card|some credit] [ok|]",
            "u [need|want] [phone credit|data]? ill cover it",
        ],
        id: [
            "[pulsa|kuota] kamu [abis|habis] [ya|kan]? aku [isiin|beliin|kirim] [ya|deh]",
            "[mau|butuh] [pulsa|kuota] [gak|ga]? [sebut aja|kirim no kamu]",
            "udah aku isiin [pulsa|kuota] [50rb|25rb|10GB] [ya|tuh]",
            "biar bisa chat terus, aku beliin kuota [ya|deh]",
        ],
        mx: ["u need kuota? aku beliin deh", "[pulsa|kuota] kamu abis? [i'll|aku] isiin"],
    }
    "gift.money" => {
        en: [
            "i can send u {$money} [on|through] [cashapp|paypal|a gift card]",
            "want some [pocket money|spending money]? [ill|i'll] send {$money}",
            "[i sent|just sent] u {$money}, [get urself something nice|treat urself]",
        ],
        id: [
            "aku [transfer|tf|kirim] {$money} ke [gopay|ovo|dana|shopeepay] kamu [ya|mau?]",
            "buat uang jajan [kamu|] [nih|ya], [gak usah bilang2|ga usah diganti]",
            "[ada|punya] [gopay|dana|ovo] [gak|ga]? aku kirimin {$money}",
            "[mau|butuh] uang jajan [tambahan|lebih] [gak|ga]?",
        ],
        mx: ["aku tf {$money} ke dana kamu ya, [no need to|gak usah] bilang2", "[just|] check [gopay|ovo] kamu, aku udh kirim {$money}"],
    }
    "gift.item" => {
        en: [
            "[ill|i'll] buy u {$item} [if u want|as a gift|no big deal]",
            "i got u {$item}, [can give it to u|ill bring it] when we meet",
            "u said u wanted {$item} right? [consider it done|i got u]",
        ],
        id: [
            "aku beliin {$item} [ya|mau?|buat kamu]",
            "{$item} yg kamu pengen udah aku beli, [nanti aku kasih|pas ketemu ya]",
            "kamu mau {$item} kan? [aku beliin deh|tenang aja]",
        ],
        mx: ["aku beliin {$item} [ya|ok], my treat", "u mau {$item} kan? [tenang|chill] aku beliin"],
    }
    // ---- platform_move -------------------------------------------------------------------
    "move.app" => {
        en: [
            "[lets|let's] [talk|chat|move] on {$app} [instead|its easier|this chat is watched|this chat is laggy]",
            "[do u have|u got] {$app}? [add me|send me ur username|whats ur @]",
            "[this app|this chat|game chat] [sucks|is monitored|gets checked], [dm|text] me on {$app}",
            "[give me|send me|drop] ur [number|@|username] [so we can talk|i'll text u]",
            "[u on|download] {$app}? [its more private|no one reads it there]",
            "[add|follow] me on {$app}, [my @ is|username] {$handle}",
            "lets [switch to|go to] {$app}, [i'll|ill] explain there",
        ],
        id: [
            "[pindah|lanjut] [ke|di] {$app} aja [yuk|ya|dong], [di sini|disini] [rame|ga enak|dipantau]",
            "[minta|boleh minta] [nomor|no wa|no hp|id {$app}] kamu [gak|dong|]?",
            "[kamu|km] punya {$app} [gak|ga|nggak]? [add|save] aku ya",
            "chat di {$app} aja biar [lebih private|ga ada yg baca|aman]",
            "[nanti|abis ini] aku [chat|dm] kamu di {$app} ya",
            "[download|instal] {$app} [dong|deh], biar [bisa|enak] [ngobrol|chat]",
            "add {$app} aku ya, {$handle}",
        ],
        mx: [
            "[lanjut|pindah] di {$app} aja yuk, more private",
            "kamu ada {$app} gak? [add me|follow aku]",
            "[chat|ngobrol] di {$app} aja ya, [this chat|disini] [dipantau|is watched]",
            "send [nomor|no] wa kamu dong",
        ],
    }
    // ---- photo_request (never about bodies or clothes) -----------------------------------
    "photo.ask" => {
        en: [
            "send me a [pic|selfie|photo] [of u|of ur face] [just for me|only for me|i wont show anyone]",
            "[can i|could i] see [what u look like|a pic of u] [rn|today]?",
            "[ur|your] pfp is [too small|blurry], send [a real one|another pic]",
            "[take|snap] a [selfie|pic] [rn|now] and send it [only to me|here]",
            "[i wanna|want to] see u [today|rn], [send|take] a pic",
            "[send|show] me a pic [of u|] [from today|rn] [lol|]",
        ],
        id: [
            "pap [dong|donk|ya] [dek|], [buat aku aja|cuma buat aku]",
            "kirim foto [kamu|muka kamu|selfie] [dong|ya] [aku doang yg liat|ga aku sebar kok]",
            "[boleh|bleh] minta foto [kamu|selfie] [gak|ga|]?",
            "fotoin diri kamu [sekarang|skrg] dong, [penasaran|kangen]",
            "[pp|foto profil] kamu [blur|kecil], [kirim|pap] yg [jelas|lain] dong",
            "[aku|aq] pengen liat kamu [hari ini|skrg], pap [ya|dong]",
        ],
        mx: [
            "pap dong, just for me",
            "send foto kamu [ya|dong], [aku doang|only me] yg liat",
            "selfie [sekali aja|one pic] pls, [promise|janji] gak aku share",
        ],
    }
    "photo.push" => {
        en: [
            "[c'mon|come on|pls] [just one|one] [selfie|pic], [just for me|i'll delete it after]",
            "why not? [its just a pic|i sent u mine|its no big deal]",
            "[u|you] said [u trust me|we're friends], so send one",
        ],
        id: [
            "[ayolah|plis] [satu aja|sekali aja], [buat aku doang|nanti aku hapus]",
            "kenapa gak mau? [cuma foto doang|aku kan udah kirim]",
            "katanya percaya sama aku, [kirim dong|pap satu aja]",
        ],
        mx: ["come on, [satu aja|one pic] [buat aku|just for me]", "kenapa ga mau? its just a pic"],
    }
    // ---- meeting -------------------------------------------------------------------------
    "meet.ask" => {
        en: [
            "[wanna|want to] [meet up|hang out|meet] [this weekend|saturday|after school|sometime]? [my treat|i'll buy u food|]",
            "[lets|we should] meet at {$place} [on saturday|this weekend|tomorrow], just us",
            "[im|i'll be] [near|around] ur [school|area] [tomorrow|on friday], [wanna|want to] [meet|grab boba]?",
            "[come to|meet me at] {$place} [at|around] [4|5|3], [ill|i'll] wait",
            "we should [finally|] meet [irl|in person] [fr|lol]",
            "[where do u live|what area r u in]? i could come [see u|by]",
        ],
        id: [
            "[ketemuan|kopdar|ketemu] yuk [di|ke] {$place} [minggu ini|sabtu|besok|pulang sekolah]",
            "nongkrong di [café|kafe|cafe] [yuk|bareng aku] [aku traktir|aku yg bayar|]",
            "[ketemu|jalan] [di mall|ke mall] yuk, [beli|makan] apa aja [aku bayarin|terserah kamu]",
            "[rumah kamu|kamu tinggal] [dimana|di daerah mana]? [nanti|biar] aku [samperin|jemput]",
            "kapan2 kita ketemu [ya|yuk], [pengen liat kamu langsung|biar makin akrab]",
        ],
        mx: [
            "ketemuan yuk di {$place}, [my treat|aku traktir]",
            "[sabtu|weekend] kita meet di mall ya, [just us|berdua aja]",
            "kapan2 meet [irl|langsung] yuk",
        ],
    }
    "meet.pickup" => {
        en: [
            "i can [pick u up|come get u] after {$les} [if u want|no problem]",
            "what time do u [finish|get out of] {$les}? i could [meet u|come by]",
            "[ill|i'll] drive u home after {$les}, [its on my way|no big deal]",
        ],
        id: [
            "[aku|aq] [jemput|jemputin] kamu [pulang|abis] {$les} [ya|aja|mau?]",
            "kamu [pulang|selesai] {$les} jam [brp|berapa]? aku [tungguin|samperin] [ya|]",
            "pulang {$les} aku anter [ya|aja], [searah kok|gpp]",
        ],
        mx: ["[aku|i can] jemput kamu after {$les} [ya|ok]", "{$les} selesai jam brp? aku [pick u up|jemput]"],
    }
    "meet_sec.hidden" => {
        en: [
            "[just|] tell ur mom ur at a friend's house [and|then] we can [meet|hang out]",
            "ill pick u up [a block away|around the corner] so ur parents dont [see|freak out]",
            "meet me at {$place} [tmrw|saturday], dont tell anyone ok",
            "[skip|leave early from] {$les} and [meet me|we'll hang out], [ur mom wont know|no one has to know]",
        ],
        id: [
            "[besok|sabtu] ketemu di {$place} ya, [jangan bilang|gausah bilang] [mama|ortu|siapa2]",
            "bilang aja [kerja kelompok|main ke rumah temen], [terus|nanti] kita ketemu",
            "aku jemput [di depan|deket] {$les} [ya|], [jangan|gk usah] [bilang|cerita] [mama|ortu]",
            "[bolos|izin] {$les} aja, kita [jalan|ketemu] [diem2|berdua]",
        ],
        mx: ["ketemu di {$place} ya, [jangan bilang ortu|don't tell anyone]", "bilang aja kerja kelompok, then kita ketemu"],
    }
    // ---- sextortion (threats only) -------------------------------------------------------
    "thr.expose" => {
        en: [
            "if u [stop|dont] [answering|reply], [ill|i'll] show ur [parents|mom] [our chats|everything]",
            "[i have|i saved] [all our chats|screenshots|ur pics], [dont make me|u dont want me to] [share|post] them",
            "[ill|i'll] tell everyone at ur school [about us|what u did|]",
            "[do it|answer me] or [ill|i'll] [send|post] [the screenshots|our chats] [to ur mom|to everyone|in ur class group]",
            "u [really|] want ur parents to [see|know] [this|what u've been doing]?",
        ],
        id: [
            "[kalo|klo] kamu [gak|ga] [bales|balas|nurut], aku [kasih liat|tunjukin|kirim] [chat kita|ss nya|semua] ke [mama|ortu|guru] kamu",
            "aku [punya|udh simpen] [ss|screenshot] [chat kita|semua|foto kamu], [jangan macem2|mau aku sebar?]",
            "aku [sebarin|bilangin] ke [temen2|satu sekolah|grup kelas] kamu [lho|loh|ya]",
            "kamu mau [ortu|mama] kamu tau [soal ini|semuanya]?",
        ],
        mx: [
            "kalo u block aku, aku [kasih tau|show] ortu kamu [semua chat kita|everything]",
            "aku punya ss semua [ya|lho], don't make me [share|sebar]",
            "[i'll|aku bakal] tell [satu sekolah|everyone] [lho|ya]",
        ],
    }
    "thr.guilt" => {
        en: [
            "[after everything|after all] i [bought|did for] u? [u owe me|ur gonna do what i say]",
            "[i'll|ill] tell them u [asked for|begged for] the {$cur}. [ur the one in trouble|who do u think they'll believe]",
            "u owe me [now|lol], [dont forget that|remember who paid]",
        ],
        id: [
            "udah aku [kasih|beliin] [diamond|pulsa|uang] [banyak|], [sekarang|masa] kamu [gitu|nolak]?",
            "aku bilang ke ortu kamu kalo kamu yg minta [uang|diamond], [kamu yg dimarahin|mereka percaya siapa coba]",
            "kamu [utang|ngutang] sama aku [lho|ya], inget itu",
        ],
        mx: ["after semua yg aku kasih, [masa|u] nolak?", "u owe me [lho|ya], inget"],
    }
    "thr.block" => {
        en: [
            "[dont|don't] [ignore|block] me [or else|u'll regret it]",
            "if u block me [ill|i'll] [make a new account|find u anyway] and tell [ur mom|everyone]",
        ],
        id: [
            "[jangan|awas] [blokir|block] aku, [nanti|ntar] aku [bilangin|laporin] ke [ortu|mama] kamu",
            "kalo kamu blokir aku, aku [bikin akun baru|tetep bisa cari kamu] [terus|dan] bilang ke [semua|mama kamu]",
        ],
        mx: ["[awas|don't] block aku, [or else|nanti] aku bilang ortu kamu"],
    }
};
