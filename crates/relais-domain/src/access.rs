//! The one access policy (DESIGN.md rule 1): who may do what for a partner. A pure function of
//! the actor's memberships, the action and the partner concerned; handlers ask it and never
//! decide by themselves. Personal data (persons, referrals, notes) will get its own actions here,
//! with consents among the inputs.

use serde::Serialize;

use crate::accounts::{MemberStatus, PartnerId, Role};

/// Something a member may ask to do on behalf of a partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Open the partner's professional space (its dashboard).
    ViewSpace,
    /// Edit the partner's structures, places and services, hours and closures; mark verified.
    EditDirectory,
    /// Invite, suspend, remove members.
    ManageMembers,
    /// Create and revoke API tokens.
    ManageTokens,
    /// Read the partner's journal.
    ReadJournal,
}

/// One membership, as the policy needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub partner: PartnerId,
    pub role: Role,
    pub status: MemberStatus,
}

/// Why access was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    /// The actor is not a member of this partner (answered as "not found": the partner's
    /// space is not revealed to others).
    NotMember,
    /// Invited but the invitation was not accepted yet.
    NotActive,
    Suspended,
    /// A member whose role does not allow the action.
    Role,
}

/// The policy's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Which roles may do `action` (the table of the issue "professional space"): admins manage
/// the partner (members, places, services, tokens, journal); professionals keep the directory
/// true with them; lawyers and coordinators see the space but change nothing of the directory.
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::ViewSpace => &Role::ALL,
        Action::EditDirectory => &[Role::Admin, Role::Professional],
        Action::ManageMembers | Action::ManageTokens | Action::ReadJournal => &[Role::Admin],
    }
}

/// May an actor holding `grants` do `action` for `partner`? Only an active membership of that
/// very partner counts: a role elsewhere grants nothing here.
pub fn decide(grants: &[Grant], action: Action, partner: PartnerId) -> Decision {
    let Some(g) = grants.iter().find(|g| g.partner == partner) else {
        return Decision::Deny(Denial::NotMember);
    };
    match g.status {
        MemberStatus::Invited => Decision::Deny(Denial::NotActive),
        MemberStatus::Suspended => Decision::Deny(Denial::Suspended),
        MemberStatus::Active if roles_for(action).contains(&g.role) => Decision::Allow,
        MemberStatus::Active => Decision::Deny(Denial::Role),
    }
}

/// What an API token may do: read its partner's services, or also write them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    ServicesRead,
    ServicesWrite,
}

/// May a token of `scope`, made for `token_partner`, do `action` for `partner`? Another
/// partner's resources are "not a member" (answered as not found); writing the directory needs
/// `services:write`, reading it either scope; tokens do nothing else (members, tokens, journal
/// are for people).
pub fn decide_token(
    scope: TokenScope,
    token_partner: PartnerId,
    action: Action,
    partner: PartnerId,
) -> Decision {
    if token_partner != partner {
        return Decision::Deny(Denial::NotMember);
    }
    match (action, scope) {
        (Action::ViewSpace, _) | (Action::EditDirectory, TokenScope::ServicesWrite) => {
            Decision::Allow
        }
        _ => Decision::Deny(Denial::Role),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    const ACTIONS: [Action; 5] = [
        Action::ViewSpace,
        Action::EditDirectory,
        Action::ManageMembers,
        Action::ManageTokens,
        Action::ReadJournal,
    ];
    const STATUSES: [MemberStatus; 3] = [
        MemberStatus::Invited,
        MemberStatus::Active,
        MemberStatus::Suspended,
    ];

    fn partner(n: u8) -> PartnerId {
        PartnerId(Uuid::from_u128(u128::from(n)))
    }

    fn grant_strategy() -> impl Strategy<Value = Grant> {
        (0u8..4, 0usize..4, 0usize..3).prop_map(|(p, r, s)| Grant {
            partner: partner(p),
            role: Role::ALL[r],
            status: STATUSES[s],
        })
    }

    #[test]
    fn the_table_of_roles() {
        let p = partner(1);
        let allowed = |role| {
            ACTIONS
                .into_iter()
                .filter(|&a| {
                    decide(
                        &[Grant {
                            partner: p,
                            role,
                            status: MemberStatus::Active,
                        }],
                        a,
                        p,
                    )
                    .is_allowed()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Role::Admin), ACTIONS.to_vec());
        assert_eq!(
            allowed(Role::Professional),
            vec![Action::ViewSpace, Action::EditDirectory]
        );
        assert_eq!(allowed(Role::Lawyer), vec![Action::ViewSpace]);
        assert_eq!(allowed(Role::Coordinator), vec![Action::ViewSpace]);
    }

    proptest! {
        /// A token acts only for its own partner; only a write token writes; no token manages
        /// members, tokens or reads the journal.
        #[test]
        fn tokens_act_only_for_their_partner(own in 0u8..3, target in 0u8..3, a in 0usize..5, w in any::<bool>()) {
            let scope = if w { TokenScope::ServicesWrite } else { TokenScope::ServicesRead };
            let d = decide_token(scope, partner(own), ACTIONS[a], partner(target));
            if own != target {
                prop_assert_eq!(d, Decision::Deny(Denial::NotMember));
            } else {
                let expected = match ACTIONS[a] {
                    Action::ViewSpace => true,
                    Action::EditDirectory => w,
                    _ => false,
                };
                prop_assert_eq!(d.is_allowed(), expected);
            }
        }

        /// Nothing is ever allowed for a partner the actor is not an active member of, whatever
        /// their roles elsewhere.
        #[test]
        fn only_an_active_membership_of_that_partner_allows(
            grants in proptest::collection::vec(grant_strategy(), 0..6),
            target in 0u8..5,
            a in 0usize..5,
        ) {
            let p = partner(target);
            let action = ACTIONS[a];
            let d = decide(&grants, action, p);
            let own = grants.iter().find(|g| g.partner == p);
            match own {
                None => prop_assert_eq!(d, Decision::Deny(Denial::NotMember)),
                Some(g) if g.status != MemberStatus::Active => prop_assert!(!d.is_allowed()),
                Some(g) => prop_assert_eq!(d.is_allowed(), roles_for(action).contains(&g.role)),
            }
        }

        /// Admins of a partner may do everything there; suspending anyone removes everything.
        #[test]
        fn admins_may_all_and_suspended_nothing(a in 0usize..5, r in 0usize..4) {
            let p = partner(1);
            let admin = Grant { partner: p, role: Role::Admin, status: MemberStatus::Active };
            prop_assert!(decide(&[admin], ACTIONS[a], p).is_allowed());
            let suspended = Grant { partner: p, role: Role::ALL[r], status: MemberStatus::Suspended };
            prop_assert_eq!(decide(&[suspended], ACTIONS[a], p), Decision::Deny(Denial::Suspended));
        }
    }
}
