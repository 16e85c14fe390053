//! Benign lines that reuse grooming's surface words in innocent contexts (hard negatives):
//! a parent's surprise ("jangan bilang ayah ya"), siblings sending pulsa, teens meeting at a
//! café, a tutor who keeps the parent in the loop. None of these banks carries a stage label.

use super::lexicon::Bank;

pub(super) const BANKS: &[Bank] = banks! {
    // ---- neg_parent_surprise: A is the parent, B the child ---------------------------------
    "neg.surprise.plan" => {
        en: [
            "hey [sweetie|bud|kiddo], [dad's|ur dad's|grandpa's] birthday is [saturday|next week|on sunday]",
            "[so|ok] i'm planning a surprise [party|dinner] for [dad|ur dad|grandma]",
            "[wanna|want to] help me [with|plan] a surprise for [dad|ur sister]?",
            "[it's|its] [our|mom and dad's] anniversary [soon|next week], i have an idea",
        ],
        id: [
            "[dek|nak|sayang], [ayah|papa|nenek] ulang tahun [sabtu|minggu depan|lusa] [lho|ya]",
            "mama mau bikin kejutan [buat|untuk] [ayah|papa|kakak] [nih|]",
            "[bantuin|bantu] mama siapin surprise [buat|untuk] [ayah|nenek] [yuk|ya]",
            "[bentar lagi|minggu depan] anniversary [mama papa|ayah ibu], mama punya ide",
        ],
        mx: ["[dek|nak], [ayah|papa] birthday [sabtu|next week] lho", "mama mau bikin surprise [party|dinner] buat papa"],
    }
    "neg.surprise.react" => {
        en: ["omg i forgot", "yesss what do we do", "ok what should i do", "can i help with the cake", "lol dad will cry", "wait what are we getting him"],
        id: ["ya ampun aku lupa", "asik, terus ngapain ma", "oke aku bantu apa", "aku mau bantu bikin kue", "wkwk ayah pasti terharu", "kadonya apa ma"],
        mx: ["omg aku lupa", "yesss aku bantu apa ma"],
    }
    "neg.surprise.secret" => {
        en: [
            "[dont|don't] tell [dad|ur dad|him] [ok|!|, it's a surprise]",
            "[it's|its] a secret [ok|until saturday|lol], [dont|don't] spoil it",
            "[shh|shhh], keep it a secret from [dad|grandma] [ok|haha]",
            "if dad asks, [just|] say we're [going shopping|getting groceries] [lol|]",
        ],
        id: [
            "jangan bilang [ayah|papa|kakak] [ya|yaa], [ini surprise|rahasia]",
            "[rahasia|ini rahasia] ya [dek|nak] [sampe sabtu|wkwk|]",
            "[sstt|ssst], jangan kasih tau [ayah|nenek] [dulu|] ya",
            "kalo ayah nanya bilang aja kita [belanja|ke pasar] [ya|]",
        ],
        mx: ["jangan bilang [ayah|papa] ya, it's a surprise", "shh, rahasia [ya|ok] sampe sabtu"],
    }
    "neg.surprise.task" => {
        en: [
            "can u [make|draw] a card [for him|tonight]?",
            "[i'll|ill] pick u up after school and we'll buy the [cake|present] [together|]",
            "[send me|take] a photo of the [card|banner] when ur done",
        ],
        id: [
            "kamu bikin kartu ucapan [ya|buat ayah]",
            "pulang sekolah mama jemput, kita beli [kue|kado] [bareng|]",
            "nanti fotoin [kartunya|hiasannya] ya, kirim ke mama",
        ],
        mx: ["kamu bikin card [ya|buat papa]", "nanti mama jemput after school, kita beli kue"],
    }
    "neg.surprise.meet" => {
        en: ["meet me at the bakery at [4|5]", "i'll be at the mall entrance at [3|4], come with ur sister", "we'll hide everything at grandma's"],
        id: ["ketemu di toko kue jam [4|5] ya", "mama tunggu di depan mall jam [3|4], bareng kakak", "kita umpetin kadonya di rumah nenek"],
        mx: ["ketemu di bakery jam [4|5] ya", "mama tunggu di mall jam 3, ok?"],
    }
    // ---- neg_sibling_pulsa: A the older sibling, B the younger --------------------------
    "neg.sib.ask" => {
        en: ["[bro|sis] can u top up my data pls", "my phone credit ran out again", "can u lend me some money for lunch", "can u buy me {$cur}? ill pay u back"],
        id: ["kak isiin pulsa dong", "kak kuota aku abis", "kak minta uang jajan dong, dompet ketinggalan", "kak beliin {$cur} dong nanti aku ganti"],
        mx: ["kak kuota aku abis, top up pls", "kak pinjem uang jajan dong"],
    }
    "neg.sib.send" => {
        en: ["ok sent u some data, dont waste it on tiktok lol", "fine, sent u 10 bucks for lunch", "done, pay me back when mom gives ur allowance", "ok topped up, u owe me one"],
        id: ["udah kakak isiin pulsa 20rb, jangan buat tiktok doang", "udah kakak tf 20rb ke dana kamu", "nih udah, balikin kalo udah dapet uang jajan", "udah diisiin kuota, utang ya wkwk"],
        mx: ["udah aku top up, jangan dipake tiktok doang lol", "done, tf 20rb ke gopay kamu"],
    }
    "neg.sib.secret" => {
        en: ["dont tell mom i bought u {$cur} lol she'll say im spoiling u", "keep it between us or mom will lecture me", "dont tell dad i lent u money, he'll be like 'be responsible'"],
        id: ["jangan bilang mama ya kakak beliin {$cur}, nanti dibilang manjain", "rahasia ya, nanti kakak diomelin mama", "jangan bilang ayah kakak pinjemin uang wkwk"],
        mx: ["jangan bilang mama ya, nanti kakak dimarahin lol", "between us ya, mama bakal ngomel"],
    }
    "neg.sib.pickup" => {
        en: ["i'll pick u up after {$les}, mom asked me to", "mom said i'm getting u from school today, wait at the gate"],
        id: ["kakak jemput abis {$les} ya, disuruh mama", "hari ini kakak yg jemput, tunggu di gerbang"],
        mx: ["kakak jemput after {$les} ya, mama yg suruh"],
    }
    // ---- neg_teen_crush: two teenagers of the same age ------------------------------------
    "neg.crush.open" => {
        en: ["hey its [me|the new kid] from [math|class|bio]", "hi did u get the notes from today", "hey u were at the [match|game|concert] right?", "saw u at [the library|practice] today lol"],
        id: ["hai, aku yg duduk di belakang kamu", "eh kamu yg tadi di [perpus|kantin] kan", "hai, boleh minta catatan tadi?", "tadi liat kamu di [lapangan|kantin] wkwk"],
        mx: ["hai, aku yg duduk di belakang u", "hey, boleh minta catatan tadi?"],
    }
    "neg.crush.reply" => {
        en: ["oh hi lol", "hey yeah thats me", "sure ill send them", "haha yeah i was there"],
        id: ["oh hai wkwk", "iya itu aku", "boleh bentar aku fotoin", "hehe iya"],
        mx: ["oh hai lol", "iya itu aku hehe"],
    }
    "neg.crush.age" => {
        en: ["wait how old r u, u seem older", "r u in 10th or 11th", "when's ur bday btw"],
        id: ["eh kamu kelas berapa sih", "kamu angkatan berapa", "ultah kamu kapan btw"],
        mx: ["kamu kelas brp sih btw", "when's ur bday btw"],
    }
    "neg.crush.age_ans" => {
        en: ["16, u?", "11th, same as u lol", "march, im 16", "15, almost 16"],
        id: ["kelas 11, sama kayak kamu", "16, kamu?", "maret, sama kan kita", "kelas 10 hehe"],
        mx: ["16, u?", "kelas 11, same"],
    }
    "neg.crush.compliment" => {
        en: ["ur kinda cute ngl", "ur really funny u know that", "i liked ur presentation today, u were good"],
        id: ["kamu lucu juga ya", "kamu asik banget orangnya", "presentasi kamu tadi keren"],
        mx: ["ngl kamu lucu juga", "u asik bgt sih"],
    }
    "neg.crush.shy" => {
        en: ["lol stop", "hehe thanks, u too", "omg", "shut up 😳"],
        id: ["apaan sih wkwk", "hehe makasih, kamu juga", "ih", "😳 makasih"],
        mx: ["stop wkwk", "hehe thx, u too"],
    }
    "neg.crush.meet" => {
        en: ["wanna get boba after school with [everyone|the group]?", "we could study at the cafe near school tmrw", "wanna go to the mall saturday? my friends are coming too"],
        id: ["nongkrong di cafe deket sekolah yuk besok, rame2 sama anak2", "belajar bareng di kafe yuk pulang sekolah", "sabtu ke mall yuk, temen2 aku juga ikut"],
        mx: ["nongkrong di cafe after school yuk, bareng anak2", "sabtu ke mall yuk, my friends ikut"],
    }
    "neg.crush.meet_ans" => {
        en: ["sure! ill ask my mom", "yes lets go, what time", "ok but i have to be home by 6", "ya can my friend come too"],
        id: ["boleh! aku izin mama dulu", "ayo jam berapa", "oke tapi jam 6 udah harus pulang", "boleh ajak temen aku?"],
        mx: ["boleh! aku izin mom dulu", "ayo, what time?"],
    }
    "neg.crush.app" => {
        en: ["whats ur ig, ill add u", "add me on snap, it's easier", "ill add u to the group chat on whatsapp"],
        id: ["ig kamu apa, aku follow ya", "save nomor aku ya, chat di wa aja", "nanti aku masukin grup wa kelas"],
        mx: ["ig kamu apa? i'll follow", "chat di wa aja ya, easier"],
    }
    // ---- neg_adult_dating: two adults ------------------------------------------------------
    "neg.date.open" => {
        en: ["hey, we matched lol", "hi! loved ur hiking pics", "hey, how's ur week going"],
        id: ["hai, kita match nih", "halo, foto hikingnya keren", "hai, gimana minggu ini"],
        mx: ["hai, we matched lol", "halo, loved foto hiking kamu"],
    }
    "neg.date.reply" => {
        en: ["haha hi! yeah that was in bali", "busy but good, work is crazy", "hey! thanks, ur dog is adorable"],
        id: ["hai! itu pas di bromo", "sibuk tapi oke, kantor lagi hectic", "hai! makasih, kucing kamu lucu"],
        mx: ["hai! itu di bromo haha", "busy tapi oke, kantor lagi hectic"],
    }
    "neg.date.age" => {
        en: ["how old r u btw, ur profile doesnt say", "so what do u do for work", "r u 28 like ur profile says lol"],
        id: ["umur kamu berapa btw, di profil ga ada", "kerja di mana sekarang", "beneran 29 kayak di profil?"],
        mx: ["umur kamu brp btw, profile kamu ga ada", "so kerja di mana?"],
    }
    "neg.date.age_ans" => {
        en: ["29, u?", "im an accountant, 31", "yep 28, turning 29 in may", "27, i teach high school"],
        id: ["29, kamu?", "aku akuntan, 31", "iya 28, mei nanti 29", "27, aku guru sma"],
        mx: ["29, u?", "31, kerja di bank"],
    }
    "neg.date.selfie" => {
        en: ["send a selfie? ur pics are all sunglasses lol", "here's me at the office today haha 📷", "what do u look like without the filter lol"],
        id: ["pap dong, di foto pake kacamata semua wkwk", "nih aku di kantor tadi haha 📷", "aslinya kayak gimana, jangan pake filter wkwk"],
        mx: ["selfie dong, foto kamu pake sunglasses semua lol", "nih aku di kantor tadi 📷"],
    }
    "neg.date.selfie_ans" => {
        en: ["lol ok 📷 bad lighting sorry", "haha fine 📷", "cute! here's mine 📷"],
        id: ["wkwk oke 📷 gelap maaf", "yaudah 📷", "lucu! nih aku 📷"],
        mx: ["lol ok 📷 bad lighting", "haha nih 📷"],
    }
    "neg.date.meet" => {
        en: ["wanna grab coffee saturday? theres a nice place downtown", "dinner friday? i'll book somewhere", "let's meet at the mall cafe, public and easy lol"],
        id: ["ngopi yuk sabtu, ada kafe enak di kota", "makan malam jumat mau? aku booking", "ketemu di cafe mall aja, gampang"],
        mx: ["ngopi yuk sabtu, ada cafe bagus", "dinner jumat? aku book tempat"],
    }
    "neg.date.meet_ans" => {
        en: ["sounds good, 3pm?", "yes! ill tell my roommate where im going lol", "ok, see u there"],
        id: ["boleh, jam 3?", "oke! aku kabarin temen kosku ya", "oke ketemu di sana"],
        mx: ["sounds good, jam 3?", "oke see u there"],
    }
    "neg.date.app" => {
        en: ["btw heres my number, easier than this app", "add me on ig if u want"],
        id: ["btw ini nomor wa aku, lebih gampang", "follow ig aku aja kalau mau"],
        mx: ["btw chat di wa aja, easier"],
    }
    // ---- neg_tutor_parent_loop: A the tutor, B the student -------------------------------
    "neg.tutor.sched" => {
        en: ["hi {$kname}, tutoring moves to thursday 4pm this week", "reminder: bring ur math workbook tomorrow", "we'll do fractions next session, try page 12 first"],
        id: ["halo {$kname}, les minggu ini pindah kamis jam 4 ya", "besok bawa buku latihan mtk ya", "pertemuan depan kita bahas pecahan, coba kerjain hal 12 dulu"],
        mx: ["halo {$kname}, les pindah ke kamis jam 4 ya", "besok bawa workbook mtk ya"],
    }
    "neg.tutor.parent" => {
        en: ["i already told ur mom about the new time", "i've let ur dad know, he said it's fine", "ur mom is in the loop, i sent her the schedule"],
        id: ["saya sudah kabari mamanya ya", "jadwalnya sudah saya kirim ke mama kamu", "sudah izin ke ayah kamu, katanya gpp"],
        mx: ["saya sudah kabari mama kamu ya", "ur mom udah saya kirimin jadwalnya"],
    }
    "neg.tutor.meet" => {
        en: ["we'll meet at the library like usual, ur mom will drop u off", "session is at ur house, ur mom said she'll be home", "the online class link is in the parents' group"],
        id: ["kita ketemu di perpustakaan kayak biasa, nanti diantar mama", "lesnya di rumah kamu, mama kamu ada di rumah katanya", "link kelas online sudah di grup orang tua"],
        mx: ["kita ketemu di library kayak biasa, mama yg antar", "link zoom ada di grup orang tua"],
    }
    "neg.tutor.ans" => {
        en: ["ok thanks miss", "ok see u thursday", "got it, thanks sir"],
        id: ["oke bu makasih", "siap pak, sampai kamis", "baik kak"],
        mx: ["ok makasih miss", "siap, see u kamis"],
    }
    "neg.tutor.praise" => {
        en: ["ur test score went up a lot, proud of u", "great work today, ur getting it"],
        id: ["nilai kamu naik banyak, hebat", "tadi bagus banget, kamu udah paham"],
        mx: ["nilai kamu naik, great job", "tadi bagus, u udah paham"],
    }
    // ---- neg_gaming_trade_peers: two teenage friends -------------------------------------
    "neg.trade.ask" => {
        en: ["yo can u top up my {$cur}? my card doesnt work", "u still selling ur {$game} account?", "can u buy the pass for me, ill send u the money"],
        id: ["bro topupin {$cur} dong, aku ga punya dana", "akun {$game} kamu masih dijual gak", "beliin pass dong, nanti aku tf"],
        mx: ["bro bisa top up {$cur} ga? kartu aku error", "akun {$game} kamu masih dijual?"],
    }
    "neg.trade.offer" => {
        en: ["ya sure, how many", "yeah 300k, its got 80 skins", "ok send the money first lol"],
        id: ["bisa, berapa", "masih, 300rb skin 80an", "oke tf dulu wkwk"],
        mx: ["bisa, how many", "masih, 300rb skin banyak"],
    }
    "neg.trade.pay" => {
        en: ["sent via dana, check it", "transferred to ur gopay", "ok i paid, whats ur id"],
        id: ["udah tf via dana, cek", "udah aku transfer ke gopay kamu", "udah bayar, id kamu berapa"],
        mx: ["udah tf via dana, check", "paid, id kamu brp"],
    }
    "neg.trade.done" => {
        en: ["got it, diamonds sent", "ok done, check ur account", "received, thx"],
        id: ["masuk, diamond udah dikirim", "done, cek akun", "udah masuk, makasih"],
        mx: ["masuk, diamonds sent", "done, cek akun ya"],
    }
    "neg.trade.wa" => {
        en: ["add me on whatsapp, our squad group is there", "join the discord for scrims tonight"],
        id: ["add wa aku, grup mabar di sana", "join discord buat scrim nanti malem"],
        mx: ["add wa aku, squad group di sana", "join discord ya buat scrim"],
    }
    // ---- neg_support_age_check: A the support agent, B the user --------------------------
    "neg.support.issue" => {
        en: ["hi i cant log in to my account", "my purchase didnt go through", "why is my account locked"],
        id: ["halo akun saya tidak bisa login", "top up saya belum masuk", "kenapa akun saya dikunci"],
        mx: ["halo, akun saya gabisa login", "top up saya belum masuk, help"],
    }
    "neg.support.greet" => {
        en: ["hi, this is the support team, happy to help", "hello, thanks for contacting support"],
        id: ["halo, dengan tim layanan pelanggan, ada yang bisa dibantu", "selamat siang, terima kasih sudah menghubungi kami"],
        mx: ["halo, support team di sini, happy to help"],
    }
    "neg.support.age" => {
        en: ["for security, can you confirm your date of birth?", "can you confirm your age? accounts under 13 need a parent's consent", "please confirm the age on the account"],
        id: ["untuk verifikasi, boleh sebutkan tanggal lahir anda?", "boleh konfirmasi umur anda? akun di bawah 13 tahun perlu izin orang tua", "mohon konfirmasi usia pemilik akun"],
        mx: ["untuk security, boleh confirm tanggal lahir?", "boleh konfirmasi umur? under 13 perlu izin orang tua"],
    }
    "neg.support.age_ans" => {
        en: ["im 17", "born 2008", "16, is that ok", "im 15, my mom made the account"],
        id: ["17 tahun", "lahir 2008", "16, boleh kan", "15, akunnya dibuat mama saya"],
        mx: ["17", "born 2008"],
    }
    "neg.support.verify" => {
        en: ["thanks. please upload a photo of your student id through the official form", "we sent a code to your email, please enter it here", "a parent or guardian can verify from the family settings page"],
        id: ["terima kasih. silakan unggah foto kartu pelajar lewat formulir resmi", "kami kirim kode ke email anda, mohon masukkan di sini", "orang tua bisa verifikasi lewat menu keluarga"],
        mx: ["thanks. upload foto kartu pelajar lewat form resmi ya", "kode sudah dikirim ke email, masukkan di sini"],
    }
    "neg.support.ok" => {
        en: ["ok done", "ok i sent it", "got the code"],
        id: ["sudah", "oke sudah saya kirim", "kodenya sudah masuk"],
        mx: ["ok done", "sudah saya kirim"],
    }
    "neg.support.safety" => {
        en: ["reminder: we will never ask for your password, and don't share codes with anyone who messages you", "never move to another app with someone claiming to be staff"],
        id: ["ingat: kami tidak pernah minta password, jangan bagikan kode ke siapa pun", "jangan pindah ke aplikasi lain dengan orang yang mengaku staf"],
        mx: ["reminder: jangan share kode ke siapa pun ya", "kami ga pernah minta password, stay safe"],
    }
    "neg.support.close" => {
        en: ["your account is unlocked now. anything else?", "the purchase has been restored, have a good day"],
        id: ["akun anda sudah aktif kembali. ada lagi yang bisa dibantu?", "top up sudah masuk, terima kasih"],
        mx: ["akun sudah aktif lagi, anything else?"],
    }
    "neg.support.thanks" => {
        en: ["thanks!", "thank u", "nope thats all"],
        id: ["makasih", "terima kasih kak", "sudah cukup"],
        mx: ["thanks kak", "makasih!"],
    }
    // ---- neg_news_discussion: two adults (parents) talk about a news story -------------
    "neg.news.open" => {
        en: ["did u see the news about that guy who groomed kids on a game app?", "there was an article about predators using gaming chats, scary", "our school sent a warning about strangers in online games"],
        id: ["udah baca berita soal orang yg deketin anak2 lewat game?", "ada artikel soal predator yg pake chat game, serem", "sekolah kirim peringatan soal orang asing di game online"],
        mx: ["udah baca news soal predator di game online?", "sekolah kirim warning soal stranger di game"],
    }
    "neg.news.react" => {
        en: ["yes that's terrifying", "omg no, what happened", "ugh i saw it, so creepy", "thats every parent's nightmare"],
        id: ["iya serem banget", "ya ampun, kenapa emang", "iya aku liat, ngeri", "amit-amit"],
        mx: ["iya scary bgt", "ya ampun, what happened"],
    }
    "neg.news.detail" => {
        en: ["he gave them diamonds and pulsa, then asked them to keep it secret", "he told the kids to move to whatsapp and not tell their parents", "apparently he pretended to be 15 and asked how old they were", "he threatened to show their parents the chats if they stopped replying"],
        id: ["dia kasih diamond sama pulsa, terus suruh rahasiain", "anak2 disuruh pindah ke wa dan jangan bilang ortu", "katanya dia ngaku umur 15 terus nanya umur anak2nya", "dia ngancem mau kasih liat chat ke ortunya kalo ga bales"],
        mx: ["dia kasih diamond terus minta keep it secret", "anak2 disuruh pindah ke wa, don't tell parents"],
    }
    "neg.news.advice" => {
        en: ["i'm going to talk to my kids tonight about this", "we should check which apps the kids use", "i told my daughter to always tell me if someone asks her to keep secrets"],
        id: ["nanti malam aku mau ngobrol sama anak2", "kita harus cek aplikasi yg dipake anak", "aku bilang ke anakku kalo ada yg minta rahasia harus cerita"],
        mx: ["nanti malam aku mau talk sama anak2", "kita harus cek apps anak2"],
    }
    "neg.news.agree" => {
        en: ["good idea", "same, i'll do that too", "yes, open conversation is key"],
        id: ["setuju", "iya aku juga", "iya, yg penting anak mau cerita"],
        mx: ["setuju, same", "iya good idea"],
    }
    // ---- neg_safety_lesson: A the teacher in a class group, B and C students --------------
    "neg.lesson.intro" => {
        en: ["good morning class, today's topic is staying safe online", "hi everyone, quick lesson about online safety before the holidays"],
        id: ["selamat pagi anak-anak, hari ini kita belajar keamanan online", "halo semua, sebelum libur ibu mau bahas keamanan di internet"],
        mx: ["pagi class, hari ini topiknya online safety"],
    }
    "neg.lesson.point" => {
        en: [
            "if someone online asks you to keep a secret from your parents, that's a red flag",
            "never send a photo of yourself to someone you only know online",
            "if a stranger offers you diamonds, pulsa or money, tell a trusted adult",
            "be careful when someone asks your age and then wants to move to whatsapp",
            "nobody should ask to meet you without your parents knowing",
            "if someone threatens to show your chats to others, it is not your fault, tell us",
        ],
        id: [
            "kalau ada orang online minta kalian rahasiain sesuatu dari orang tua, itu tanda bahaya",
            "jangan kirim foto diri ke orang yg cuma kenal di internet",
            "kalau orang asing nawarin diamond, pulsa, atau uang, bilang ke orang dewasa yg kalian percaya",
            "hati-hati kalau ada yg nanya umur terus ngajak pindah ke wa",
            "tidak boleh ada yg ngajak ketemu tanpa sepengetahuan orang tua",
            "kalau ada yg mengancam mau sebar chat kalian, itu bukan salah kalian, lapor ke guru",
        ],
        mx: ["kalau ada yg minta keep a secret dari ortu, itu red flag", "jangan kirim foto ke orang yg cuma kenal online ya"],
    }
    "neg.lesson.q" => {
        en: ["what if its someone from our school?", "what if they say they're a kid too?", "do we tell you or our parents?"],
        id: ["kalau orangnya temen sekolah gimana bu?", "kalau dia bilang seumuran gimana?", "lapornya ke ibu atau ke ortu?"],
        mx: ["bu kalau dia ngaku seumuran gimana?", "lapor ke ibu or ortu?"],
    }
    "neg.lesson.ack" => {
        en: ["ok miss", "got it", "thank you", "noted"],
        id: ["baik bu", "siap bu", "terima kasih bu", "iya bu"],
        mx: ["ok bu", "noted bu"],
    }
    "neg.lesson.close" => {
        en: ["good questions. either is fine, just tell an adult you trust", "homework: list three things you'd do if a stranger messaged you"],
        id: ["pertanyaan bagus. boleh ke ibu atau ortu, yg penting cerita", "pr: tulis tiga hal yang kalian lakukan kalau orang asing chat kalian"],
        mx: ["good question, yg penting cerita ke orang dewasa"],
    }
    // ---- neg_adult_scam: A a scammer, B an adult -----------------------------------------
    "neg.scam.hook" => {
        en: ["congratulations! your number won a prize of $500", "hi this is the bank, your account will be blocked today", "hello dear, i am a soldier overseas and need help"],
        id: ["selamat! nomor anda memenangkan hadiah 50 juta", "ini dari bank, rekening anda akan diblokir hari ini", "halo kak, paket anda tertahan di bea cukai"],
        mx: ["selamat! nomor anda menang hadiah, claim now"],
    }
    "neg.scam.doubt" => {
        en: ["who is this?", "sounds like a scam", "i didnt enter anything", "how did u get my number"],
        id: ["siapa ini?", "penipuan ya?", "saya gak ikut undian apa2", "dapet nomor saya dari mana"],
        mx: ["who is this?", "ini scam ya"],
    }
    "neg.scam.push" => {
        en: ["just transfer the $20 admin fee to this e-wallet", "send the code we just texted you to confirm", "click this link and enter your pin"],
        id: ["cukup transfer biaya admin 200rb ke ovo ini", "kirim kode otp yang barusan masuk", "klik link ini dan masukkan pin"],
        mx: ["transfer biaya admin dulu ke dana ini", "kirim kode otp nya ya"],
    }
    "neg.scam.secret" => {
        en: ["dont tell anyone or the prize is cancelled", "keep this confidential, it's a special offer"],
        id: ["jangan kasih tau siapa2 nanti hadiahnya hangus", "rahasiakan ya, ini promo khusus"],
        mx: ["jangan bilang siapa2, nanti hangus"],
    }
    "neg.scam.pressure" => {
        en: ["you only have 10 minutes", "last chance, do it now", "if you dont pay your account is closed"],
        id: ["waktu anda tinggal 10 menit", "kesempatan terakhir pak/bu", "kalau tidak bayar rekening ditutup"],
        mx: ["last chance, 10 menit lagi"],
    }
    "neg.scam.refuse" => {
        en: ["no. reported and blocked", "nice try lol", "im calling my bank directly"],
        id: ["gak. saya laporin", "modus lama wkwk", "saya telepon bank langsung aja"],
        mx: ["no, reported", "modus lama lol, blocked"],
    }
    // ---- neg_peer_bullying: teenagers of the same age ------------------------------------
    "neg.bully.taunt" => {
        en: ["lol ur so weird", "nobody likes u", "why do u even come to school", "ur drawing was so ugly lmao"],
        id: ["dih aneh banget lo", "ga ada yg suka sama lo", "ngapain sih lo masuk sekolah", "gambar lo jelek banget wkwk"],
        mx: ["lo tuh weird bgt", "nobody likes lo lol"],
    }
    "neg.bully.reply" => {
        en: ["leave me alone", "what did i even do", "stop it", "whatever"],
        id: ["apaan sih", "gue salah apa", "udah stop", "terserah"],
        mx: ["leave me alone ih", "gue salah apa sih"],
    }
    "neg.bully.threat" => {
        en: ["ill tell everyone what u said about her", "im posting that screenshot in the class group", "say that again and ill tell the whole grade"],
        id: ["gue sebarin ke satu kelas omongan lo", "ss lo gue post di grup kelas", "ngomong gitu lagi gue bilangin ke satu angkatan"],
        mx: ["gue post ss nya di grup kelas", "i'll tell everyone omongan lo"],
    }
    "neg.bully.defend" => {
        en: ["hey stop, thats not cool", "im telling the teacher if u keep doing this", "leave them alone"],
        id: ["udah woy, ga lucu", "gue laporin ke wali kelas ya", "jangan gitu sama dia"],
        mx: ["stop woy, not funny", "gue report ke wali kelas"],
    }
    // ---- neg_class_group_move: classmates -------------------------------------------------
    "neg.group.move" => {
        en: ["guys lets move the group chat to whatsapp, this app is annoying", "we're making a telegram group for the project", "can everyone send their number for the class group"],
        id: ["guys pindah grup ke wa aja yuk, app ini ribet", "bikin grup telegram buat tugas kelompok ya", "kirim nomor wa kalian buat grup kelas"],
        mx: ["guys pindah ke wa aja, this app ribet", "kirim nomor kalian buat group kelas ya"],
    }
    "neg.group.ok" => {
        en: ["ok", "yes pls", "finally lol", "sure"],
        id: ["setuju", "oke", "akhirnya", "boleh"],
        mx: ["setuju lol", "ok finally"],
    }
    "neg.group.ask" => {
        en: [
            "is the teacher in the group too? || [yes|yeah] miss asked to be added",
            "who's the admin || me, ill add everyone",
            "do we add the new kid? || yes obviously",
        ],
        id: [
            "wali kelas masuk grup juga? || iya bu guru minta dimasukin",
            "adminnya siapa || aku, nanti aku add semua",
            "anak baru dimasukin gak? || iya lah",
        ],
        mx: ["wali kelas di group juga? || iya bu guru minta di-add", "adminnya siapa btw || aku yg add semua"],
    }
    "neg.group.link" => {
        en: ["here's the link 📎", "sent the invite, check ur dms"],
        id: ["ini linknya 📎", "udah aku kirim undangan"],
        mx: ["ini link nya 📎"],
    }
    // ---- neg_family_pickup: A the parent, B the child -------------------------------------
    "neg.pickup.ask" => {
        en: ["what time does {$les} finish today?", "do u need me to pick u up after {$les}?", "ur dad is picking u up today"],
        id: ["{$les} selesai jam berapa hari ini?", "mau dijemput abis {$les}?", "hari ini ayah yg jemput ya"],
        mx: ["{$les} selesai jam brp today?", "mau dijemput after {$les}?"],
    }
    "neg.pickup.ans" => {
        en: ["5", "at 4:30", "yes pls", "ok"],
        id: ["jam 5", "setengah 5 ma", "iya ma", "oke"],
        mx: ["jam 5", "yes ma"],
    }
    "neg.pickup.where" => {
        en: ["wait inside by the front desk, dont go outside alone", "ill be at the gate, look for the grey car", "if im late wait with ur teacher"],
        id: ["tunggu di dalem ya, jangan keluar sendiri", "mama di depan gerbang, mobil abu-abu", "kalo mama telat tunggu sama gurunya"],
        mx: ["tunggu di dalem ya, don't go out alone", "mama di gate, mobil abu2"],
    }
    "neg.pickup.safe" => {
        en: ["and dont go with anyone else even if they say i sent them", "text me when ur done"],
        id: ["jangan ikut orang lain ya walaupun ngaku disuruh mama", "kabarin mama kalau udah selesai"],
        mx: ["jangan ikut orang lain ya, even if they say mama yg suruh"],
    }
    // ---- neg_coach_team: A the coach, B a player ------------------------------------------
    "neg.coach.sched" => {
        en: ["training moved to 4pm saturday at the school field", "match on sunday, be there by 7", "bring ur boots and water tomorrow"],
        id: ["latihan pindah sabtu jam 4 di lapangan sekolah", "minggu ada pertandingan, kumpul jam 7", "besok bawa sepatu dan air minum"],
        mx: ["latihan pindah sabtu jam 4 di lapangan", "match minggu, kumpul jam 7"],
    }
    "neg.coach.praise" => {
        en: ["great game today, ur passing was the best on the team", "u improved a lot this month, keep it up"],
        id: ["mainmu tadi bagus, umpanmu paling rapi", "bulan ini kamu berkembang banyak, pertahankan"],
        mx: ["great game tadi, passing kamu paling bagus"],
    }
    "neg.coach.parents" => {
        en: ["i sent the schedule to the parents' group too", "parents need to sign the form for the away match", "i'll tell ur parents about the trial, they can come watch"],
        id: ["jadwal sudah saya kirim ke grup orang tua", "orang tua tanda tangan formulir buat tanding tandang ya", "nanti saya kabari orang tua kamu soal seleksi, boleh ikut nonton"],
        mx: ["jadwal udah saya kirim ke grup orang tua", "parents harus tanda tangan form ya"],
    }
    // ---- neg_friends_hangout ----------------------------------------------------------
    "neg.hang.plan" => {
        en: ["wanna hang at the mall saturday?", "movie after school friday?", "lets get food after practice"],
        id: ["sabtu main ke mall yuk", "jumat nonton yuk pulang sekolah", "abis latihan makan yuk"],
        mx: ["sabtu ke mall yuk?", "nonton yuk friday"],
    }
    "neg.hang.ans" => {
        en: ["yes! who else is coming", "cant, family dinner", "ok ill ask my mom"],
        id: ["ayo! siapa aja yg ikut", "ga bisa, acara keluarga", "oke aku izin dulu"],
        mx: ["ayo, siapa aja ikut?", "can't, acara keluarga"],
    }
};
