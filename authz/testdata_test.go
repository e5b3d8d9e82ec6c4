package authz

// policiesJSON is a small Ranger Hive service download: alice and the
// analysts group read default.sales except bob, who is denied amount;
// a deny item with an exception; a high-priority override; a row filter
// and masks for bob; a role.
const policiesJSON = `{
  "serviceName": "hive", "policyVersion": 7,
  "policies": [
    {"id": 1, "name": "sales read", "isEnabled": true, "policyType": 0,
     "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["*"]}},
     "policyItems": [{"accesses": [{"type": "select", "isAllowed": true}], "users": ["alice", "bob"], "groups": ["analysts"]}],
     "allowExceptions": [{"accesses": [{"type": "select"}], "users": ["carol"]}]},
    {"id": 2, "name": "no amount for bob", "policyType": 0,
     "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["amount"]}},
     "denyPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"]}],
     "denyExceptions": [{"accesses": [{"type": "select"}], "users": ["alice"]}]},
    {"id": 3, "name": "etl owns staging", "policyType": 0,
     "resources": {"database": {"values": ["stag*"]}, "table": {"values": ["*"]}, "column": {"values": ["*"]}},
     "policyItems": [{"accesses": [{"type": "all"}], "roles": ["etl"]}]},
    {"id": 4, "name": "override: dave reads amount", "policyType": 0, "policyPriority": 1,
     "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["amount"]}},
     "policyItems": [{"accesses": [{"type": "select"}], "users": ["dave"]}]},
    {"id": 5, "name": "bob sees west", "policyType": 2,
     "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}},
     "rowFilterPolicyItems": [{"accesses": [{"type": "select"}], "users": ["bob"], "rowFilterInfo": {"filterExpr": "region = 'west'"}}]},
    {"id": 6, "name": "mask card", "policyType": 1,
     "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["card"]}},
     "dataMaskPolicyItems": [
       {"accesses": [{"type": "select"}], "users": ["alice"], "dataMaskInfo": {"dataMaskType": "MASK_NONE"}},
       {"accesses": [{"type": "select"}], "groups": ["public"], "dataMaskInfo": {"dataMaskType": "MASK_SHOW_LAST_4"}}]},
    {"id": 7, "name": "disabled", "isEnabled": false, "policyType": 0,
     "resources": {"database": {"values": ["*"]}, "table": {"values": ["*"]}, "column": {"values": ["*"]}},
     "policyItems": [{"accesses": [{"type": "all"}], "groups": ["public"]}]},
    {"id": 8, "name": "url policy", "policyType": 0, "resources": {"url": {"values": ["*"]}},
     "policyItems": [{"accesses": [{"type": "all"}], "groups": ["public"]}]},
    {"id": 9, "name": "finance all but secret", "policyType": 0, "isDenyAllElse": true,
     "resources": {"database": {"values": ["finance"]}, "table": {"values": ["secret"], "isExcludes": true}, "column": {"values": ["*"]}},
     "policyItems": [{"accesses": [{"type": "select"}], "users": ["erin"]}]}
  ],
  "rangerRoles": [
    {"name": "etl", "users": [{"name": "frank"}], "roles": [{"name": "loaders"}]},
    {"name": "loaders", "groups": [{"name": "batch"}]}
  ]
}`
