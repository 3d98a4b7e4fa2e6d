"""Fixed ids the examples share, so the catalogue tells one consistent story.

One developer (owner and a team member) with one game and a DLC, a player who buys it and
subscribes, a greenlight submission, a payout. Consumers' contract tests may use them too.
"""

DEVELOPER_ID = "a801ec79-765f-49c3-a9ee-386cce107e5d"
OWNER_USER_ID = "9dd6ad2b-a924-4f2d-b50d-7995e683dad5"
MEMBER_USER_ID = "455d645c-263b-4c80-86c0-568830e44edb"
GAME_ID = "5d26d06f-9055-4c8c-9764-29fd0dd52fba"
VERSION_ID = "a8440509-a3b8-4e7b-aeac-443121d68d43"
PREVIOUS_VERSION_ID = "a50e34f5-5f63-42d0-8edc-5ed20e525b47"
PAYOUT_REQUEST_ID = "9e3270e4-11a7-43bf-a59e-1a1e1a841824"
PAYOUT_METHOD_ID = "ffbc7e09-4b75-4b09-8d5c-dede50ef5d0a"
PAYOUT_ID = "df26d8b8-2ddb-4a9b-941d-9bfb875fe451"
MODERATOR_ID = "ae6a0d59-3d1d-4eae-9b97-b134116f2304"
SUBMISSION_ID = "3f7d79b5-975b-4186-9c0d-87e5ae03c1e3"
PENALTY_ID = "4d3bda2d-9ade-42bb-9eed-2ee82ecd09b1"
PLAYER_ID = "fe3a93f6-f02e-4cfd-bb10-c96c00381c7c"
SUBSCRIPTION_ID = "f5c6f5f7-76e8-4bab-9ec0-ca1148ff1037"
PLAN_ID = "6681946a-1c4f-47b6-8e2e-bababd13ca47"
PAYMENT_ID = "00759153-f8fa-4587-86a1-ed27717b92ab"
SAVED_METHOD_ID = "29f9e8b1-6314-4bcd-8174-5bda5c412371"
REFUND_ID = "65e6dc03-27b6-4d51-90fd-6d01b3b41d73"
SALE_ID = "a1d49a17-6252-4a5e-9526-df24f452bca6"
REFERRAL_PAYOUT_ID = "766cb40b-78d7-4dde-bdaa-a9a13ed03739"
