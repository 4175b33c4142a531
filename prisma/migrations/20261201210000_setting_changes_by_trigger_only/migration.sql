-- Only the settings trigger writes setting_changes: it runs with its owner's rights, and the
-- app's role gets no INSERT on the table (prisma/grant-app-role.ts), so no forged record.
-- session_user (not current_user, the owner here) names the role that made the change.
ALTER FUNCTION "settings_record_change"() SECURITY DEFINER;
ALTER FUNCTION "settings_record_change"() SET search_path = public, pg_temp;
