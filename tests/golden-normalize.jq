# tests/golden-normalize.jq - make a probe or listen JSON document
# comparable across lab runs: what changes by itself (clock, keys made at
# every `lab.sh up`, TTLs counting down, the tool's version) becomes a
# placeholder; everything the renderers decide stays as it is.
def volatile_key:
  test("(^|_)ms$|^ttl$|^started$|^finished$|^not_before$|^not_after$|days_left|sha256|^serial$|^pem$|^version$|^key_tag$|^tool$");
def scrub:
  if type == "string" then
    gsub("[0-9a-fA-F]{40,}"; "HEX")
    | gsub("smtptls-[0-9a-f]{16}"; "smtptls-RANDOM")
    | gsub("[0-9]+ ms"; "N ms")
    | gsub("[0-9]+ days?"; "N days")
    | gsub("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"; "TIME")
  else . end;
walk(if type == "object" then
       with_entries(if (.key | volatile_key) then .value = "*" else .value |= scrub end)
     elif type == "array" then map(scrub)
     else . end)
