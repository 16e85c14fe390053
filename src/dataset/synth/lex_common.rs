//! Banks every family shares: conversation variables, decoration, small talk, the child's
//! replies and openers. None of these carries a stage label.
//!
//! Small-talk lines are whole exchanges: ` || ` hands the turn to the other speaker.

use super::lexicon::Bank;

pub(super) const BANKS: &[Bank] = banks! {
    // ---- conversation variables (drawn once per conversation) ---------------------------
    "v.kname" => {
        en: ["emma", "mia", "liv", "josh", "ethan", "maya", "zoe", "kai", "lily", "sam", "noah", "ava", "leo", "chloe", "ben", "ruby"],
        id: ["dinda", "nabila", "putri", "rara", "cindy", "salsa", "dimas", "rizky", "fajar", "bima", "aurel", "keisha", "nayla", "tiara", "adit", "raka", "sekar", "intan", "wulan", "bagas"],
    }
    "v.aname" => {
        en: ["jay", "alex", "ryan", "mike", "chris", "dan", "matt", "nick", "tyler", "sean"],
        id: ["reza", "ardi", "dion", "yoga", "andre", "bayu", "rendi", "kevin", "fikri", "hendra", "arya", "galih"],
    }
    "v.app" => {
        en: ["snap", "snapchat", "discord", "telegram", "ig", "insta", "whatsapp", "kik", "signal"],
        id: ["WA", "wa", "whatsapp", "tele", "telegram", "IG", "dm ig", "line"],
    }
    "v.place" => {
        en: ["the mall", "the starbucks near ur school", "the park", "the arcade", "mcdonalds", "the cinema", "the food court", "the skatepark", "the bus station", "the library"],
        id: ["mall", "mall deket rumahmu", "cafe deket sekolah", "kafe yg baru buka", "alun-alun", "taman kota", "bioskop", "timezone", "mcd deket rumah kamu", "indomaret depan gang", "stasiun", "foodcourt mall"],
    }
    "v.money" => {
        en: ["$20", "$50", "20 bucks", "50 dollars", "$30", "a $25 gift card", "$100"],
        id: ["50rb", "100rb", "50 ribu", "200k", "25rb", "150rb", "seratus ribu", "300rb"],
    }
    "v.item" => {
        en: ["those headphones", "the new hoodie", "concert tickets", "the album", "a new phone case", "those sneakers", "the merch", "a lightstick"],
        id: ["headset", "hoodie yg kamu mau", "tiket konser", "album", "lightstick", "sepatu yg kamu pengen", "casing hp baru", "merch"],
    }
    "v.les" => {
        en: ["tutoring", "practice", "swim practice", "piano lessons", "math club", "band practice"],
        id: ["bimbel", "les", "les renang", "les piano", "ekskul", "les bahasa inggris", "latihan futsal"],
    }
    "v.idol" => {
        en: ["that kpop group", "olivia", "the band", "ur fav group", "that singer"],
        id: ["oppa", "idol kamu", "band favoritmu", "grup kpop itu", "penyanyi itu"],
    }
    "v.handle" => {
        mx: ["@[jay|ryn|dk|zen|kaito|rey|nox][_|.|][07|99|x|real|ofc|22]"],
    }
    // Set in code from one table so they agree (game and its currency, age and grade); these
    // are fallbacks that keep every `{$var}` resolvable.
    "v.game" => { mx: ["ML"], }
    "v.cur" => { mx: ["diamond"], }
    "v.kage" => { mx: ["13"], }
    "v.grade" => { mx: ["8"], }
    "v.aage" => { mx: ["16"], }
    // ---- decoration ----------------------------------------------------------------------
    "deco.open" => {
        en: ["btw", "ok so", "lol", "wait", "ngl", "tbh", "yo", "hmm", "oh", "anyway", "also", "hey"],
        id: ["eh", "btw", "wkwk", "eh iya", "oh ya", "duh", "nah", "eh btw", "hmm", "yaudah", "oiya", "eh tapi"],
        mx: ["btw", "eh", "wkwk", "ngl", "literally", "anyway"],
    }
    "deco.tail" => {
        en: ["lol", "haha", "tho", "fr", "lmao", "hehe", "honestly", "lol ok", "haha yeah"],
        id: ["sih", "dong", "deh", "ya", "wkwk", "hehe", "kan", "loh", "wkwkwk", "kok", "aja", "gitu"],
        mx: ["sih", "deh", "lol", "wkwk", "which is", "tho", "ya"],
    }
    "deco.emo" => {
        mx: ["😂", "😅", "👍", "🙂", "😁", "🔥", "😎", "🤣", "🙏", "👌", ":)", "xD"],
    }
    "deco.emo_kid" => {
        mx: ["😭", "😂", "🥺", "🙈", "😳", "🤭", "😆", "💀", "✨", "😅", "🥲", ":v", "🤣", "😊"],
    }
    // ---- small talk, as exchanges ------------------------------------------------------
    "small.game" => {
        en: [
            "[gg|ggs|gg wp|good game] [that was close|lol|ez|bro] || [ikr|fr|lol|yeah] [that last fight was insane|we almost lost|i was lagging so bad|the enemy jungler was everywhere]",
            "what rank r u [now|rn|this season|at] || [epic|legend|mythic|gold|diamond|plat] [lol|i'm stuck|still|finally]",
            "u [on|playing|gonna play] [tonight|later|rn|after school] || [maybe|yea|prob|idk] [after homework|after dinner|when i eat|if my mom lets me]",
            "[bro|dude|man] my [wifi|internet|ping] is so bad [today|rn|tonight] || [same|rip|lol|oof] [mine too|just restart it|its the server]",
            "[who's|whos|which hero is] ur main || [i main|mostly|i play] [support|tank|sniper|mage|jungle|assassin] [lol|rn|these days|]",
            "did u see the new [update|season|event|patch] || [yea|yes|nah] the new [map|skin|hero|mode] [looks|is] [sick|so good|mid|overpriced]",
            "[one more|1 more|another] [game|match|round] [?|pls|lol] || [ok last one|sure|i have to sleep soon lol|after i charge my phone]",
            "[that guy|the enemy team|our tank] was [so toxic|trash talking|feeding] [lol|smh|] || [just mute them|ignore them|report him|classic]",
            "i [finally|just] got [the new skin|a legendary|mvp|a savage] [lol|!!|] || [noo way|lucky|congrats|show me] [lol|!!|]",
            "[ur|u r|were u] [lagging|afk] again [lol|?] || sorry my [mom|little bro|sister] [called me|took my phone|needed the wifi]",
            "[what's|whats] ur [team|squad|clan] name || [we dont have one|its so cringe lol|cant tell u lol]",
            "[how long|how many hours] have u played [today|this week] || [too long|like 3 hours|dont ask lol]",
        ],
        id: [
            "[gg|mantap|anjay] [bro|kak|cuy|] [menang lagi|tadi seru bgt|ez] || [wkwk|iya|hehe] [hampir kalah tadi|tadi lag bgt|jungler musuh dimana2]",
            "rank kamu [apa|udah apa|sampe mana] [sekarang|skrg|season ini] || [epic|legend|mythic|grandmaster] [nih|doang|masih|akhirnya]",
            "[mabar|main bareng|push rank] [yuk|ga|kuy] [nanti malem|abis isya|skrg|besok] || [ayo|bentar|gas] [aku makan dulu|abis ngerjain pr|kalo dibolehin mama]",
            "[sinyal|wifi|ping] aku jelek [bgt|parah] [hari ini|tadi|malem ini] || [sama|wkwk|duh] [aku juga|restart aja|servernya kali]",
            "[main|pake] hero apa [biasanya|km|sekarang] || [aku|aq] [roamer|tank|mage|marksman|jungler|assassin] [hehe|doang|terus|]",
            "udah liat [update|event|skin|patch] baru belum || [udah|blm] [bagus bgt|biasa aja|mahal bgt|keren sih] [wkwk|]",
            "[sekali lagi|1 match lagi|satu lagi] [yuk|ga|deh] || [oke terakhir ya|udah mau tidur aku|bentar ngecas hp]",
            "tim sebelah [toxic|bacot|ngefeed] [bgt|parah] [tadi|] || [udah mute aja|biarin aja|report aja|biasa itu]",
            "[akhirnya|barusan] dapet [mvp|savage|maniac|skin baru] [wkwk|!!|] || [gila|wih|anjay|mana liat] [hoki bgt|keren|]",
            "kamu afk [ya|lagi] tadi [?|] || [maaf|sori] [dipanggil mama|hp nya diambil adek|wifinya mati]",
            "nama squad kamu apa || [belum ada|alay bgt wkwk|rahasia dong wkwk]",
            "udah main berapa jam [hari ini|tadi] || [lama bgt|3 jam kayaknya|jangan ditanya wkwk]",
        ],
        mx: [
            "gg [bro|kak] tadi [so close|seru bgt] || [wkwk|lol] [iya|ikr] hampir [kalah|lose]",
            "[mabar|main] [tonight|nanti] [yuk|ga]? || [sure|oke|gas] abis [homework|pr]",
            "[update|event] baru [udah liat|seen it]? || [yess|udah] [skin nya|the new map] [keren bgt|mid sih]",
            "[ping|wifi] aku [so bad|jelek bgt] [today|hari ini] || [same|sama] [lol|wkwk]",
        ],
    }
    "small.school" => {
        en: [
            "how was school [today|] || [boring|ok i guess|so long|tiring] [lol|] [we had a test|math was hard|pe was fun|nothing happened]",
            "did u finish the [homework|essay|project|worksheet] || [not yet|almost|nope|yeah] [lol|im so behind|it took forever]",
            "[ugh|bruh|omg] [exams|finals|tests] [next week|on monday|soon] || [same|dont remind me|i havent studied] [lol|😭|]",
            "my [teacher|math teacher|homeroom teacher] gave us so much [homework|work] [today|again] || [rip|mine too|thats so annoying|lol]",
            "[what|which] subject do u like [most|best] || [art|english|science|pe|history] [i guess|probably|]",
            "[r u|are u] going to the [school trip|field trip|sports day] || [yeah|idk yet|maybe] [my mom has to sign|if i finish my project|]",
            "[we have|i have] a group project [and|but] no one does anything || [lol|classic] [same here|that always happens|just do ur part]",
            "[it's|its] almost [the weekend|the holidays|friday] || [finally|cant wait|yesss] [lol|]",
            "[what did u get|how did u do] on the [quiz|test] || [a b|passed lol|dont ask|better than last time]",
            "[our|the] [class|school] is so [stuffy|noisy|crowded] today || [ours too|lol|rip]",
        ],
        id: [
            "[gimana|gmn] sekolah [hari ini|tadi] || [capek|biasa aja|bosen] [wkwk|sih|] [ada ulangan tadi|mtk susah bgt|olahraga seru|gak ada apa2]",
            "pr [mtk|ipa|b.inggris|ips] udah [belum|blm] || [belum|blm|udah] [nih|wkwk|] [males bgt|susah|lama bgt]",
            "[minggu depan|senin] [uts|uas|ujian|ulangan] [ya|kan] || [iya|duh] [jangan diingetin|belum belajar sama sekali]",
            "[guru|bu guru|pak guru] aku ngasih [tugas|pr] banyak [bgt|parah] [lagi|] || [sama|wkwk] [aku juga|kasian|sabar]",
            "[pelajaran|mapel] favorit kamu apa || [seni budaya|olahraga|ipa|b.inggris|sejarah] [kayaknya|sih|]",
            "[kamu|km] ikut [study tour|class meeting|acara sekolah|pensi] gak || [ikut dong|belum tau|kayaknya] [nunggu izin mama|]",
            "kerja kelompok [tapi|tp] [ga ada yg|gak ada yang] [ngerjain|bantu] || [wkwk|biasa] [sama kayak kelasku|emang gitu|kerjain bagianmu aja]",
            "[besok|bsk] libur [kan|ya] || [iya|kayaknya] [akhirnya|yess]",
            "nilai ulangan kamu [brp|gimana] || [lumayan|remed wkwk|jangan ditanya|naik dikit]",
            "kelas [panas|berisik|rame] bgt [hari ini|tadi] || [sama|wkwk] [kipasnya rusak|gurunya gak masuk]",
        ],
        mx: [
            "[school|sekolah] [gimana|how] [tadi|today] || [boring|bosen] [bgt|lol], ada [quiz|ulangan]",
            "[homework|pr] [udah|done] belum || [not yet|belum] [wkwk|lol], [so lazy|males bgt]",
            "[exam|ujian] [next week|minggu depan] [ya|kan] || [dont remind me|jangan diingetin] [lol|wkwk]",
        ],
    }
    "small.music" => {
        en: [
            "[what r u|whatcha|what are u] listening to [rn|lately|these days] || [mostly|just|a lot of] [kpop|taylor|rap|old songs|indie stuff] [lol|tbh|]",
            "did u hear [the new song|their new album|the comeback|that new single] || [yess|yes|not yet] [it's so good|on repeat|not my fav tbh|send me the link]",
            "[who's|whos] ur [bias|fav member|fav singer] || [secret|obviously|idk|too many] [lol|hehe]",
            "i [wanna|want to] learn [guitar|piano|drums|ukulele] || [u should|same|i tried once lol|my cousin teaches]",
            "[that|this] song is stuck in my head [all day|again|since yesterday] || [lol|ikr] [same|which one|sing it]",
            "[u|do u] have [spotify|a playlist] || [yea|yeah] [its so chaotic|mostly sad songs|all kpop] [lol|]",
        ],
        id: [
            "lagi dengerin lagu apa [sekarang|skrg|akhir2 ini] || [kpop|lagu galau|indie|dangdut koplo|lagu lama] [wkwk|sih|]",
            "udah denger [lagu baru|album baru|comeback] [mereka|nya] belum || [udah|blm] [bagus bgt|diulang terus|biasa aja|kirim linknya]",
            "bias kamu siapa || [rahasia|ada deh|banyak|semua] [wkwk|hehe]",
            "[pengen|mau] belajar [gitar|piano|drum|ukulele] || [sama|aku juga|ayo belajar bareng|sepupuku bisa ngajarin]",
            "lagu itu [nempel|kebayang|keinget] terus [di kepala|dari kemarin] || [wkwk|iya] [sama|yg mana|nyanyiin dong]",
            "kamu punya [playlist|spotify] gak || [punya|ada] [isinya galau semua|kpop semua|campur aduk] [wkwk|]",
        ],
        mx: [
            "[udah denger|did u hear] lagu baru [nya|mereka]? || [yess|udah], [on repeat|diulang terus] [wkwk|lol]",
            "lagi [dengerin|listening to] apa [sekarang|rn] || [kpop|lagu galau] [mostly|aja] [lol|wkwk]",
        ],
    }
    "small.football" => {
        en: [
            "did u watch the match [last night|yesterday|on sunday] || [yess|yeah|nah] [what a goal|we got robbed|ref was blind|fell asleep lol]",
            "[who|which team] do u [support|root for|follow] [lol|tho|btw|] || [madrid|barca|city|liverpool|united|arsenal] [obviously|lol|since forever]",
            "[practice|training] was [so hard|brutal|fun] [today|tonight] || [same|lol] [coach made us run|my legs hurt|we did penalties]",
            "[u|do u] play [striker|defender|keeper|midfield] || [mostly|usually] [wing|striker|defense|whatever coach says] [lol|]",
            "we [won|lost|drew] [our|the] match [today|on saturday] || [nice|rip|gg] [what was the score|next time|who scored]",
            "[did u see|u see] that [penalty|red card|save] || [yes|lol] [insane|so unfair|best save ever]",
        ],
        id: [
            "[semalem|kemarin] nonton [bola|pertandingan|timnas] gak || [nonton|iya|ketiduran] [golnya keren bgt|wasitnya parah|kalah lagi]",
            "kamu dukung [tim|klub] apa [sih|btw|] || [persib|persija|arema|madrid|barca|mu] [dong|lah|dari kecil]",
            "latihan [futsal|bola] [tadi|hari ini] [capek|berat] [bgt|] || [sama|wkwk] [disuruh lari terus|kaki pegel|latihan penalti]",
            "[posisi|kamu main] [apa|di mana] || [kiper|bek|striker|sayap] [wkwk|biasanya|terserah pelatih]",
            "[tim|sekolah] kita [menang|kalah|seri] [tadi|kemarin] || [mantap|yah|gpp] [skornya brp|next time|siapa yg gol]",
            "liat [penalti|kartu merah|penyelamatan] tadi gak || [liat|wkwk] [gila|ga adil|keren bgt]",
        ],
        mx: [
            "[nonton|did u watch] [match|bola] semalem? || [yess|nonton], [gol nya|the goal] keren bgt",
            "[latihan|training] [tadi|today] capek bgt || [same|sama] [lol|wkwk]",
        ],
    }
    "small.daily" => {
        en: [
            "what r u doing || [nothing much|just chilling|homework|eating|watching yt] [lol|u?|]",
            "[ugh|im|i'm] so [tired|bored|sleepy] [today|rn] || [same|lol] [what happened|go sleep|me too]",
            "did u eat [yet|already] || [yeah|not yet] [my mom made|having|just had] [pasta|rice|noodles|fried chicken] [lol|]",
            "it's raining [so hard|again] [here|rn] || [same|lol] [stay dry|i love rain tho|no rain here]",
            "[what|wyd] [this weekend|on saturday] || [idk|nothing|family stuff|sleeping] [prob|lol|]",
            "[lol|omg] look at this [meme|video|cat] || [lmao|dead|😂] [where did u find that|send more|so true]",
            "[my|our] [cat|dog] [knocked over|broke] [my glass|a plant] [lol|again] || [lmaooo|no way|send pic of the cat]",
            "[i'm|im] [so|really] hungry || [eat smth|same|go get snacks] [lol|]",
        ],
        id: [
            "lagi [apa|ngapain] || [gabut|rebahan|ngerjain pr|makan|nonton yt] [aja|nih|] [kamu?|wkwk|]",
            "[capek|bosen|gabut|ngantuk] bgt [hari ini|nih] || [sama|wkwk] [kenapa emang|tidur gih|aku juga]",
            "udah makan [belum|blm] || [udah|belum] [mama masak|lagi makan|barusan makan] [mie|nasi goreng|ayam|soto] [hehe|]",
            "di sini hujan [deres|lagi|terus] || [sama|wkwk] [enak buat tidur|dingin bgt|di sini panas]",
            "[weekend|sabtu] [mau|rencana] [kemana|ngapain] || [ga tau|dirumah aja|acara keluarga|tidur] [kayaknya|sih|]",
            "[wkwk|anjir] liat deh [video|meme|kucing] ini || [ngakak|wkwkwk|😂] [dapet dari mana|kirim lagi|relate bgt]",
            "kucing aku [mecahin|jatuhin] [gelas|pot] [lagi|] || [wkwkwk|astaga|fotoin kucingnya]",
            "laper bgt [nih|aku] || [makan gih|sama|beli jajan] [wkwk|]",
        ],
        mx: [
            "lagi [ngapain|apa] || [just chilling|gabut] [aja|lol], [u?|kamu?]",
            "[so bored|gabut bgt] [hari ini|today] || [same|sama] [wkwk|lol]",
            "udah [makan|eat] belum || [not yet|belum] [lol|wkwk], [mama lagi masak|nunggu delivery]",
        ],
    }
    "small.social" => {
        en: [
            "[i saw|saw] ur [post|story|video] [lol|earlier|today] || [haha|oh] [thx|thanks] [it was so random|my friend made me post it|i almost deleted it]",
            "ur [edits|videos|drawings] are [so good|really good] || [omg thx|thank u] [i use capcut lol|its just practice|]",
            "[how many|do u have many] followers [now|lol] || [not many|like 200|idk] [lol|haha]",
            "[what|which] filter did u use || [idk|just the normal one|no filter] [lol|]",
            "u [watch|seen] that [tiktok|trend|reel] || [yess|lol] [so cringe|i tried it|my sister did it]",
        ],
        id: [
            "aku liat [story|postingan|video] kamu [tadi|kemarin] || [wkwk|hehe] [makasih|iseng doang|hampir aku hapus]",
            "[edit|video|gambar] kamu [bagus|keren] [bgt|] || [makasih|hehe] [pake capcut kok|belajar dari yt|masih belajar]",
            "followers kamu [udah|ada] berapa [sekarang|skrg] || [dikit|baru 300|gatau] [wkwk|hehe]",
            "pake filter apa [tadi|itu] || [biasa aja|yg default|gak pake] [sih|kok]",
            "udah liat [tren|video] tiktok [yg itu|itu] belum || [udah|wkwk] [cringe bgt|aku ikutan|adekku ikutan]",
        ],
        mx: [
            "[saw|aku liat] story kamu [tadi|earlier] || [wkwk|haha] [thx|makasih], iseng [aja|doang]",
            "edit kamu [so good|bagus bgt] || [thx|makasih] [lol|hehe], pake capcut",
        ],
    }
    "small.family" => {
        en: [
            "did u [clean ur room|do ur chores] || [yess|almost|not yet] [mom|lol]",
            "grandma [called|is coming] [today|on sunday] || [ok|yay] [what time|is she staying]",
            "[dinner|lunch] is [ready|at 7] || [ok coming|5 more minutes]",
            "[dont forget|remember] ur [jacket|umbrella|lunch] || [ok|yea i have it]",
        ],
        id: [
            "kamar udah [diberesin|dirapiin] belum || [udah|bentar lagi|belum] [ma|bun|kak]",
            "[nenek|eyang|tante] [mau dateng|telpon] [hari ini|minggu] || [oke|asik] [jam brp|nginep gak]",
            "makan [malam|siang] udah siap || [oke|iya] [bentar|otw]",
            "jangan lupa bawa [payung|jaket|bekal] || [iya|udah dibawa] [ma|bun]",
        ],
    }
    "small.adult" => {
        en: [
            "how was work || [long|busy|fine] [lol|as always] [u?|]",
            "any plans for the weekend || [not really|maybe hiking|family stuff] [u?|]",
            "[i just|just] got back from the gym || [nice|respect] [i should go more lol|]",
            "[have u|u] been to that new [ramen|coffee] place || [not yet|yes] [is it good|its great]",
        ],
        id: [
            "gimana kerjaan hari ini || [capek|sibuk|lancar] [sih|kayak biasa] [kamu?|]",
            "weekend ada rencana gak || [belum|mau hiking|acara keluarga] [kamu?|]",
            "baru pulang [gym|kantor] nih || [mantap|wih] [rajin bgt|aku harus mulai olahraga]",
            "udah coba [kopi|ramen] yg baru buka belum || [belum|udah] [enak gak|lumayan]",
        ],
    }
    // ---- the child's replies (never stage-labelled) ---------------------------------------
    "kid.hi" => {
        en: ["hi", "hey", "hii", "heyy", "hello?", "who is this", "oh hi", "yo", "hi lol", "gg", "hey whats up"],
        id: ["hai", "haii kak", "halo", "iya kak?", "siapa ya", "hai juga", "halo kak", "eh hai", "p", "iya?", "hehe hai"],
        mx: ["hai kak", "hii", "halo, who's this", "hey kak"],
    }
    "kid.age" => {
        en: ["{$kage}", "im {$kage}", "{$kage} lol", "{$kage} why", "{$kage}, u?", "grade {$grade}", "i'm in {$grade}th grade", "{$kage} haha", "turning {$kage} lol"],
        id: ["{$kage}", "{$kage} kak", "{$kage} thn", "kelas {$grade}", "aku kelas {$grade} kak", "{$kage} emang knp", "baru {$kage}", "{$kage} hehe", "masih {$kage} kak", "kelas {$grade} hehe"],
        mx: ["{$kage} kak", "kelas {$grade}, why", "{$kage}, u brp?"],
    }
    "kid.shy" => {
        en: ["haha thx", "lol no", "stop 🙈", "aww thanks", "no im not lol", "really?", "thank u", "hehe", "idk about that lol", "ur just saying that", "omg thx", "lol ok"],
        id: ["hehe makasih", "ih apaan sih", "wkwk ga lah", "masa sih kak", "makasih kak", "🙈", "hehe", "biasa aja kok", "ah kakak bisa aja", "seriusan?", "malu ih"],
        mx: ["hehe thx kak", "ih stop", "masa sih lol", "thank u kak"],
    }
    "kid.ok" => {
        en: ["ok", "okay", "k", "sure", "ok i wont", "hmm ok", "alright", "yeah", "ok lol", "fine", "i promise", "ok ok"],
        id: ["ok", "oke", "oke kak", "iya", "iyaa", "siap", "hmm iya", "iya kak", "sip", "iya deh", "janji", "oke deh"],
        mx: ["ok kak", "oke sure", "iya ok", "sip kak"],
    }
    "kid.unsure" => {
        en: ["idk", "hmm", "idk...", "i dont know", "maybe", "my mom might get mad", "i'm not sure", "hmm i guess", "idk if i can", "that's kinda weird", "why tho"],
        id: ["gatau", "hmm", "ga tau kak", "mungkin", "takut dimarahin mama", "ga yakin aku", "hmm gimana ya", "nanti aku pikir dulu", "aneh ga sih", "kenapa emang"],
        mx: ["idk kak", "hmm ga yakin", "takut mom marah"],
    }
    "kid.why" => {
        en: ["why?", "why tho", "wait why", "for what", "how come", "whats it for", "y"],
        id: ["kenapa?", "knp emang", "buat apa", "loh kenapa", "kok gitu", "emang kenapa kak"],
        mx: ["why kak", "buat apa tho", "kenapa emang?"],
    }
    "kid.push" => {
        en: ["no", "i dont want to", "no thanks", "thats weird", "i'm not doing that", "stop", "no my mom said not to", "i dont feel comfortable", "leave me alone", "nope"],
        id: ["gak mau", "gamau ah", "ga kak", "aneh ih", "jangan gitu kak", "aku ga mau", "udah ah", "gak boleh sama mama", "ga nyaman aku", "stop kak"],
        mx: ["gamau kak", "no ah", "aku ga mau, stop"],
    }
    "kid.scared" => {
        en: ["please dont", "no please", "why would u do that", "im scared", "ok ok", "please dont tell my mom", "i'm sorry", "pls", "fine ill do it", "dont"],
        id: ["jangan kak", "plis jangan", "aku takut", "kok gitu sih", "maaf kak", "jangan bilang mama plis", "iya iya", "ampun kak", "plis kak"],
        mx: ["please jangan", "jangan kak pls", "aku takut tho"],
    }
    "kid.thanks" => {
        en: ["omg thank youuu", "wait fr??", "thanks!!", "no way", "ty so much", "really? thx", "omg", "thank u so much", "ur the best"],
        id: ["makasih kak!!", "serius kak??", "wah makasih", "aaa makasih", "beneran?", "makasih banyak kak", "wihh", "baik bgt kak"],
        mx: ["omg makasih kak", "thank uu kak", "serius?? thx"],
    }
    "kid.app" => {
        en: ["ok whats ur @", "i have it", "i dont have {$app}", "my mom checks my phone tho", "ok add me", "sure", "ok wait", "idk how to use it", "k"],
        id: ["oke kak", "aku ga punya {$app}", "nanti aku add", "hp aku suka dicek mama", "iya", "oke bentar", "gimana caranya", "ok"],
        mx: ["ok kak add aja", "ga punya {$app} tho", "ok wait bentar"],
    }
    "kid.photo" => {
        en: ["idk...", "for what", "um why", "ok wait", "i look bad today", "idk i'm shy", "maybe later", "hmm", "why do u want it"],
        id: ["buat apa kak", "malu ah", "nanti aja", "hmm", "aku lagi jelek", "bentar", "ga pede", "kenapa emang"],
        mx: ["buat apa tho", "malu kak", "idk aku jelek"],
    }
    "kid.meet" => {
        en: ["idk if i can go", "where", "what time", "i have to ask my mom", "maybe", "ok", "my parents wont let me", "hmm idk", "i'm not allowed out alone"],
        id: ["ga tau boleh apa ga", "dimana kak", "jam brp", "nanti aku izin dulu", "mungkin", "oke", "ga dibolehin mama", "hmm", "aku gak boleh keluar sendiri"],
        mx: ["idk boleh ga", "jam brp kak", "where? aku tanya mama dulu"],
    }
    "kid.sad" => {
        en: ["my parents were fighting again", "i'm kinda sad today", "nobody at school talks to me", "my mom yelled at me", "yeah they never listen", "i hate it here", "i dont have many friends", "they just dont care"],
        id: ["ortu aku berantem lagi", "aku lagi sedih", "di sekolah ga ada yg mau temenan", "abis dimarahin mama", "iya mereka ga pernah dengerin", "aku capek", "temen aku dikit", "mereka ga peduli"],
        mx: ["im sad bgt hari ini", "ortu aku fighting lagi", "yeah mereka ga pernah listen"],
    }
    "kid.fan" => {
        en: ["omg ur stream was so good", "hi im a huge fan", "can u play with me sometime", "ur my fav streamer"],
        id: ["kak aku fans kakak", "live kakak seru bgt tadi", "kak mabar dong sekali aja", "kakak streamer favorit aku"],
        mx: ["kak ur stream seru bgt", "aku fans kakak fr"],
    }
    "kid.help" => {
        en: ["my account got hacked can u help", "i cant log in to my account", "someone stole my skins", "how do i recover my account"],
        id: ["kak akun aku kena hack", "gabisa login akun aku", "skin aku ilang semua", "cara balikin akun gimana kak"],
        mx: ["akun aku hacked kak", "can u help, gabisa login"],
    }
    // ---- openers from A (no stage) --------------------------------------------------------
    "greet.game" => {
        en: ["gg", "[nice|good] game", "u play ranked?", "yo u were cracked that round", "add me back lol", "want to duo?", "gg wp, u play a lot?"],
        id: ["gg", "mantap mainnya", "mabar yuk", "add aku ya", "kamu main rank?", "jago juga kamu", "duo yuk"],
        mx: ["gg [bro|kak]", "duo yuk?", "nice game tadi"],
    }
    "greet.social" => {
        en: ["hey", "hi there", "hey :)", "hi, saw ur post", "hey, we have mutuals right?", "hi sorry random but ur profile is cool", "hey how r u", "hii"],
        id: ["hai", "halo", "hai salam kenal", "hai dek", "halo, boleh kenalan?", "hai, kita mutualan kan", "permisi, boleh kenalan gak", "p"],
        mx: ["hai, salam kenal", "hey, boleh kenalan?", "hi dek"],
    }
    "greet.fan" => {
        en: ["hey i saw ur fancam, u like {$idol} too?", "omg another {$idol} fan", "hi! ur edits of {$idol} are so good"],
        id: ["hai kamu suka {$idol} juga?", "wah sesama fans {$idol} nih", "hai edit {$idol} kamu bagus bgt"],
        mx: ["hai, fans {$idol} juga ya?"],
    }
    "a.comfort" => {
        en: ["aw im sorry, that sucks", "hey im here if u wanna talk", "that's not fair to u", "u can talk to me about anything"],
        id: ["yaampun, kasian kamu", "cerita aja sama aku", "itu ga adil buat kamu", "aku dengerin kok"],
        mx: ["aw sorry, cerita aja", "i'm here kok"],
    }
    "a.scout_intro" => {
        en: ["hi, i coach a youth academy and saw ur highlights", "hey i scout players for a club, u got skills", "hi, i run trials for an academy"],
        id: ["halo, aku pelatih akademi bola, liat video kamu", "hai, aku pencari bakat klub, mainmu bagus", "halo, aku ngurus seleksi akademi"],
        mx: ["hi, aku scout akademi bola", "halo, saw video main kamu"],
    }
    "a.model_intro" => {
        en: ["hi, i'm a photographer looking for new faces", "hey, i work with a modelling agency", "hi, u could totally be a model"],
        id: ["halo, aku fotografer lagi cari model baru", "hai, aku dari agensi model", "kamu cocok jadi model deh"],
        mx: ["hi, aku fotografer, looking for new faces"],
    }
    "a.tutor_offer" => {
        en: ["hey i saw u asking about math in the group, i can help u", "i tutor for free if u want help w homework"],
        id: ["aku liat kamu nanya mtk di grup, aku bisa bantu", "mau aku ajarin pr gratis?"],
        mx: ["aku bisa bantu homework kamu, free kok"],
    }
    "a.streamer_thanks" => {
        en: ["aw thanks! ur always in chat", "thanks for the support, ur one of my fav viewers", "haha thanks, i see u in every stream"],
        id: ["makasih ya udah nonton terus", "kamu penonton setia aku nih", "makasih, aku sering liat kamu di chat"],
        mx: ["thanks ya udah support terus"],
    }
    "a.relative_intro" => {
        en: ["hi, i'm a friend of ur uncle", "hey, i know ur dad from work", "hi, remember me? from the family bbq"],
        id: ["halo, aku temennya om kamu", "hai, aku kenal ayah kamu dari kantor", "inget aku gak? yg pas acara keluarga"],
        mx: ["hai, aku temen om kamu"],
    }
    "a.help_account" => {
        en: ["i can help, i know how to get accounts back", "easy, i did it for my friends", "i can fix it, just need a few things"],
        id: ["bisa, aku ngerti cara balikin akun", "gampang, aku sering bantuin temen", "aku bisa bantu, tapi ada syaratnya"],
        mx: ["bisa kok, aku ngerti cara recover akun"],
    }
};
