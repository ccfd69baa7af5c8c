## Layout, dates, times and statuses shared by every page.

skip-link = Aller au contenu
tagline = Droits et solidarités près de chez vous, Métropole du Grand Paris
nav-languages = Langue
nav-footer = Pages du site
nav-search = Rechercher
nav-about = À propos
nav-accessibility = Accessibilité : partiellement conforme
nav-privacy = Confidentialité
footer-note = Service public gratuit des partenaires du pacte de lutte contre l’exclusion. Aucun compte, aucun suivi.
not-found-title = Page introuvable
not-found-text = Cette adresse ne correspond à aucune page ni à aucun service. Le service a peut-être été retiré de l’annuaire.
error-title = Une erreur est survenue
error-text = La page n’a pas pu être affichée. Réessayez dans un instant ; si cela continue, signalez-le en donnant la référence ci-dessous.
error-reference = Référence : { $reference }
refused-title = Requête refusée
refused-text = Le serveur ne peut pas répondre à cette requête telle qu’elle a été envoyée.
refused-text-400 = La requête est mal formée.
refused-text-405 = Cette adresse ne s’utilise pas de cette façon (méthode non permise).
refused-text-408 = La requête a pris trop de temps. Réessayez dans un instant.
refused-text-413 = Les données envoyées sont trop volumineuses (64 Kio au plus).
refused-text-414 = L’adresse (URL) est trop longue.
refused-text-415 = Les données envoyées ne sont pas dans un format accepté ici.
refused-text-431 = Les en-têtes de la requête sont trop grands ou trop nombreux.
back-home = Revenir à la recherche

weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
date-long = { $weekday } { $day ->
    [1] 1er
   *[other] { $day }
  } { $month }
date-year = { $day ->
    [1] 1er
   *[other] { $day }
  } { $month } { $year }

status-open = Ouvert
status-open-until = Ouvert jusqu’à { $time }
status-open-until-tomorrow = Ouvert jusqu’à demain { $time }
status-open-until-day = Ouvert jusqu’à { $day } { $time }
status-open-until-date = Ouvert jusqu’au { $date }
status-closed = Fermé
status-closed-opens = Fermé — ouvre à { $time }
status-closed-opens-tomorrow = Fermé — ouvre demain à { $time }
status-closed-opens-day = Fermé — ouvre { $day } à { $time }
status-closed-opens-date = Fermé — ouvre le { $date }
status-unknown = Horaires à confirmer
hours-to-confirm-short = à confirmer
hours-all-day = 24 h sur 24
distance-walk = { $distance } · { $minutes } min à pied
radius-km = { $km } km

holiday-jour-de-l-an = Jour de l’an
holiday-lundi-de-paques = Lundi de Pâques
holiday-fete-du-travail = Fête du Travail
holiday-victoire-1945 = Victoire 1945
holiday-ascension = Ascension
holiday-lundi-de-pentecote = Lundi de Pentecôte
holiday-fete-nationale = Fête nationale
holiday-assomption = Assomption
holiday-toussaint = Toussaint
holiday-armistice-1918 = Armistice 1918
holiday-noel = Noël
holiday-vendredi-saint = Vendredi saint
holiday-saint-etienne = Saint-Étienne

language-fr = français
language-en = anglais
language-ar = arabe
language-es = espagnol
language-pt = portugais
language-ro = roumain
language-ru = russe
language-uk = ukrainien
language-tr = turc
language-zh = chinois
language-ber = berbère
language-ff = peul
language-wo = wolof
language-de = allemand
language-it = italien
language-fa = persan
language-ps = pachto
language-bn = bengali
language-ta = tamoul
language-bm = bambara
language-so = somali
language-ti = tigrigna
language-ln = lingala
language-lsf = langue des signes française
