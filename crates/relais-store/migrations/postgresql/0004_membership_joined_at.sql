-- When a membership began: the instant the person joined (an invitation accepted, a first admin
-- bootstrapped), NULL while only invited. A partner sees the partner-less events of a member
-- (sign-ins, failures…) only from then on, never the history of someone who joins from another
-- partner (issue 9, item 9).
ALTER TABLE memberships ADD COLUMN joined_at timestamptz;

-- Existing memberships: the latest `member.joined` of this person in this partner, otherwise the
-- row's creation (a bootstrapped admin is active from the start).
UPDATE memberships SET joined_at = COALESCE(
    (SELECT MAX(j.at)::timestamptz FROM journal j
     WHERE j.action = 'member.joined'
       AND j.subject = memberships.user_id::text
       AND j.partner = memberships.partner_id::text),
    created_at)
WHERE status IN ('active', 'suspended');
