# Espace professionnel (français)
pro-tagline = Espace des partenaires
pro-signed-in-as = Connecté·e :
pro-sign-out = Se déconnecter
pro-sign-out-everywhere = Se déconnecter de tous les appareils
pro-nav-label = Espace du partenaire
pro-nav-services = Services
pro-nav-members = Membres
pro-nav-tokens = Jetons d’API
pro-nav-journal = Journal
pro-nav-account = Mon compte
pro-public-directory = Annuaire public
pro-home = Mon espace
pro-your-partners = Vos partenaires
pro-no-partner = Vous n’êtes membre d’aucun partenaire pour l’instant.
pro-security = Sécurité
pro-codes-left = Codes de secours restants : { $count }
pro-role = Rôle
pro-role-admin = Administrateur·rice
pro-role-professional = Professionnel·le
pro-role-lawyer = Avocat·e
pro-role-coordinator = Coordination du pacte
pro-status = État
pro-status-invited = invitation envoyée
pro-status-active = actif
pro-status-suspended = suspendu
pro-since = Depuis le
pro-actions = Actions
pro-all = Tous
pro-never = jamais
pro-yes = Oui
pro-no = Non
pro-unknown = Je ne sais pas
pro-continue = Continuer
pro-choose = Choisir
pro-forbidden-title = Accès refusé
pro-forbidden-text = Votre rôle chez ce partenaire ne permet pas cette action, ou votre accès est suspendu.
pro-csrf-title = Formulaire expiré
pro-csrf-text = Ce formulaire a expiré ou ne vient pas de Relais. Revenez en arrière, rechargez la page et recommencez.
pro-throttled-title = Trop de tentatives
pro-throttled-text = Trop de tentatives de connexion ont échoué. Réessayez dans { $minutes } minute(s), ou demandez un nouveau mot de passe.
# Connexion
pro-sign-in = Se connecter
pro-sign-in-intro = Espace réservé aux membres des partenaires du réseau.
pro-sign-in-button = Continuer
pro-sign-in-wrong = Adresse e-mail ou mot de passe incorrect.
pro-email = Adresse e-mail
pro-password = Mot de passe
pro-forgot-link = Mot de passe oublié ?
pro-code-title = Code de vérification
pro-code-help = Saisissez le code à 6 chiffres de votre application d’authentification, ou l’un de vos codes de secours.
pro-code-label = Code
pro-code-button = Se connecter
pro-code-wrong = Ce code n’est pas valide ou a déjà servi.
pro-enrol-title = Activer la double authentification
pro-enrol-intro = La double authentification est obligatoire pour tous les comptes professionnels : elle protège les données des personnes accompagnées.
pro-enrol-step-app = Installez une application d’authentification (par exemple FreeOTP, Aegis ou celle de votre téléphone).
pro-enrol-step-scan = Scannez ce code QR avec l’application.
pro-enrol-manual = Ou saisissez cette clé à la main :
pro-enrol-step-code = Saisissez ci-dessous le code à 6 chiffres que l’application affiche.
pro-enrol-qr-label = Code QR à scanner avec l’application d’authentification
pro-enrol-button = Activer
pro-recovery-title = Vos codes de secours
pro-recovery-intro = Si vous perdez votre téléphone, chacun de ces codes permet de se connecter une seule fois. Imprimez-les ou notez-les en lieu sûr.
pro-recovery-once = Ces codes ne seront plus jamais affichés.
# Liens
pro-link-title = Choisir votre mot de passe
pro-link-intro-setup = Bienvenue sur Relais. Choisissez le mot de passe de votre compte d’administrateur·rice.
pro-link-intro-invite = Vous êtes invité·e à rejoindre un partenaire sur Relais. Choisissez votre mot de passe.
pro-link-intro-reset = Choisissez un nouveau mot de passe. Toutes vos sessions ouvertes seront fermées.
pro-link-intro-join = Vous êtes invité·e à rejoindre un partenaire sur Relais. Vous avez déjà un compte : confirmez avec votre mot de passe actuel (il ne change pas).
pro-join-button = Rejoindre le partenaire
pro-new-password = Nouveau mot de passe
pro-confirm-password = Confirmez le mot de passe
pro-password-rules = Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.
pro-password-too-short = Le mot de passe doit compter au moins 12 caractères.
pro-password-too-long = Le mot de passe est trop long.
pro-password-common = Ce mot de passe est trop courant : choisissez-en un autre.
pro-password-contains-email = Le mot de passe ne doit pas contenir votre adresse e-mail.
pro-password-mismatch = Les deux mots de passe ne sont pas identiques.
pro-link-button = Enregistrer le mot de passe
pro-link-unknown = Ce lien n’existe pas. Vérifiez qu’il a été copié en entier.
pro-link-used = Ce lien a déjà servi. Connectez-vous, ou demandez un nouveau lien.
pro-link-expired = Ce lien a expiré. Demandez un nouveau lien à l’administrateur·rice de votre partenaire ou via « Mot de passe oublié ».
pro-forgot-title = Mot de passe oublié
pro-forgot-intro = Indiquez l’adresse de votre compte : vous recevrez un lien valable une heure pour choisir un nouveau mot de passe.
pro-forgot-button = Recevoir un lien
pro-forgot-sent = Si un compte existe à cette adresse, un lien vient d’y être envoyé. Il est valable une heure et ne sert qu’une fois.
# Services
pro-no-service = Aucun service n’est rattaché à ce partenaire pour l’instant.
pro-verify-all = Tout marquer « vérifié aujourd’hui »
pro-verify-one = Vérifié aujourd’hui
pro-verified-done = { $count } service(s) marqué(s) vérifié(s) aujourd’hui.
pro-verified-on = Vérifié le { $date }
pro-never-verified = Jamais vérifié
pro-stale = à vérifier
pro-stale-heading = À vérifier en priorité
pro-stale-intro = Ces services n’ont pas été vérifiés depuis plus de six mois (les plus anciens d’abord).
pro-all-services = Tous vos services
pro-service = Service
pro-last-verified = Dernière vérification
pro-see-public = Voir la page publique
pro-saved = Modifications enregistrées : elles sont déjà visibles dans l’annuaire public.
pro-errors-heading = Le formulaire contient des erreurs
pro-preview-heading = Les 14 prochains jours
pro-hours-legend = Horaires et fermetures
pro-hours = Horaires (syntaxe OpenStreetMap)
pro-hours-help = Par exemple : Mo-Fr 09:00-12:00,14:00-17:00; PH off
pro-closures = Fermetures exceptionnelles
pro-closure = Fermeture
pro-closure-new = Ajouter une fermeture
pro-closure-from = Du
pro-closure-to = Au
pro-closure-reason = Motif
pro-closure-delete = Supprimer
pro-closures-help = Le motif est affiché au public, par exemple « Fermeture de fin d’année ». Laissez « Au » vide pour une seule journée.
pro-about-legend = Le service
pro-name = Nom du service
pro-description = Description
pro-themes = Thématiques
pro-publics = Publics
pro-languages = Langues parlées
pro-languages-help = Codes séparés par des virgules, par exemple : fr, en, ar
pro-access-legend = Accès
pro-fee = Frais
pro-fee-details = Précisions sur les frais
pro-modes = Modes d’accueil
pro-wheelchair = Accessible en fauteuil roulant
pro-access-conditions = Justificatifs et conditions d’accès
pro-address = Adresse
pro-phone = Téléphone
pro-service-email = E-mail du service
pro-preview-button = Prévisualiser
pro-save-button = Enregistrer
pro-error-name = Le nom est obligatoire.
pro-error-name-control = Le nom ne doit contenir ni retour à la ligne ni caractère invisible (caractère de contrôle).
pro-error-hours = Horaires illisibles à partir du caractère { $position } (surligné sous le champ). Écrivez par exemple « Mo-Fr 09:00-12:00; Sa 10:00-12:00 » (jours Mo Tu We Th Fr Sa Su, heures sur 24 h avec deux-points, plages séparées par des virgules, règles par des points-virgules).
pro-error-hours-too-long = Horaires trop longs : { $max } caractères au plus. Regroupez les jours qui ont les mêmes heures (« Mo-Fr 09:00-12:00 »).
pro-error-hours-too-costly = Horaires trop complexes pour être affichés rapidement : trop de règles par mois, par semaine ou par date. Regroupez-les (« Jan-Mar Mo-Fr 09:00-12:00 ») ou indiquez-les dans « Fermetures exceptionnelles » ci-dessous.
pro-error-closure-date = Date de fermeture invalide (jj/mm/aaaa).
pro-error-closure-order = La fin de la fermeture précède son début.
pro-error-closure-reason = Indiquez le motif de la fermeture.
pro-error-closure-long = Une fermeture dure au plus un an.
pro-error-choice = Choix inconnu.
pro-error-languages = Langues : des codes de 2 ou 3 lettres séparés par des virgules.
pro-error-email = Adresse e-mail invalide.
pro-error-token = Donnez un nom (100 caractères au plus) et une portée.
pro-new-service = Nouveau service
pro-new-service-intro = Donnez un nom au service et choisissez sa structure : vous compléterez ensuite ses horaires, son public et son accès sur sa page.
pro-new-service-button = Créer le service
pro-no-structure = Ce partenaire n’a pas encore de structure dans l’annuaire : demandez à l’opérateur de la rattacher (relais partner attach).
pro-structures = Vos structures
pro-structure-edit = Modifier
pro-structure-intro = La structure telle que le public la voit sur la page de chacun de ses services.
pro-structure-name = Nom de la structure
pro-address-complement = Complément d’adresse
pro-postcode = Code postal
pro-postcode-help = Commune actuelle : { $place }. Un autre code postal de la Métropole change la commune.
pro-website = Site web
pro-error-website = Le site doit être une adresse complète en https:// ou http:// (ex. https://exemple.fr).
pro-error-postcode = Code postal inconnu dans la Métropole du Grand Paris.
# Membres
pro-invite-heading = Inviter un membre
pro-invite-help = Un lien d’invitation, valable 72 heures et utilisable une seule fois, est envoyé par e-mail.
pro-invite-button = Envoyer l’invitation
pro-invite-sent = Invitation envoyée.
pro-invite-already = Cette personne est déjà membre de ce partenaire (ou invitée).
pro-invite-mail-failed = L’e-mail d’invitation n’a pas pu partir : rien n’a été enregistré. Réessayez plus tard ou prévenez l’opérateur.
pro-suspend = Suspendre
pro-reactivate = Réactiver
pro-remove = Retirer
pro-last-admin = Impossible : ce partenaire doit garder au moins un·e administrateur·rice actif·ve.
# Jetons
pro-tokens-intro = Les jetons permettent aux logiciels de votre structure de mettre à jour vos services par l’API. Un jeton n’est affiché qu’une fois.
pro-token-created = Voici le jeton. Copiez-le maintenant : il ne sera plus affiché.
pro-token-name = Nom
pro-token-scope = Portée
pro-token-created-on = Créé le
pro-token-last-used = Dernière utilisation
pro-token-revoked-on = Révoqué le { $date }
pro-revoke = Révoquer
pro-token-new = Nouveau jeton
pro-token-button = Créer le jeton
pro-scope-read = lecture des services
pro-scope-write = mise à jour des services
# Journal
pro-journal-filters = Filtrer le journal
pro-journal-person = Personne
pro-journal-action = Action
pro-journal-from = Du
pro-journal-to = Au
pro-journal-filter = Filtrer
pro-journal-csv = Exporter en CSV
pro-journal-empty = Aucun événement ne correspond.
pro-journal-when = Date
pro-journal-subject = Objet
pro-journal-details = Détails
pro-journal-older = Événements plus anciens
pro-kind-auth = Connexions et sécurité
pro-kind-member = Membres
pro-kind-service = Services
pro-kind-token = Jetons
pro-kind-directory = Imports de l’annuaire
# Courriels
mail-invite-subject = Invitation à rejoindre { $partner } sur Relais
mail-invite-body =
    Bonjour,

    Vous êtes invité·e à rejoindre { $partner } sur Relais, l’espace des partenaires du réseau d’accès au droit.

    Pour choisir votre mot de passe, ouvrez ce lien (valable 72 heures, utilisable une seule fois) :
    { $link }

    Si vous n’attendiez pas cette invitation, ignorez ce message.
mail-reset-subject = Nouveau mot de passe pour Relais
mail-reset-body =
    Bonjour,

    Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, utilisable une seule fois) :
    { $link }

    Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.
