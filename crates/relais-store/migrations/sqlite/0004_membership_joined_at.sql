-- When a membership began: the instant the person joined (an invitation accepted, a first admin
-- bootstrapped), NULL while only invited. A partner sees the partner-less events of a member
-- (sign-ins, failures…) only from then on, never the history of someone who joins from another
-- partner (issue 9, item 9).
ALTER TABLE memberships ADD COLUMN joined_at TEXT;

-- Existing memberships: the latest `member.joined` of this person in this partner (journal
-- instants are `…Z`; stored here as the `…+00:00` text of the other columns), otherwise the row's
-- creation (a bootstrapped admin is active from the start).
UPDATE memberships SET joined_at = COALESCE(
    (SELECT replace(MAX(j.at), 'Z', '+00:00') FROM journal j
     WHERE j.action = 'member.joined'
       AND j.subject = lower(substr(hex(memberships.user_id), 1, 8) || '-'
           || substr(hex(memberships.user_id), 9, 4) || '-'
           || substr(hex(memberships.user_id), 13, 4) || '-'
           || substr(hex(memberships.user_id), 17, 4) || '-'
           || substr(hex(memberships.user_id), 21))
       AND j.partner = lower(substr(hex(memberships.partner_id), 1, 8) || '-'
           || substr(hex(memberships.partner_id), 9, 4) || '-'
           || substr(hex(memberships.partner_id), 13, 4) || '-'
           || substr(hex(memberships.partner_id), 17, 4) || '-'
           || substr(hex(memberships.partner_id), 21))),
    created_at)
WHERE status IN ('active', 'suspended');
