"""Russian details of greenlight's error codes (Russian is the API's default language).

The kit answers ``detail`` from here when a client does not prefer English and the raise site
gave no ``detail_ru`` of its own. Every code raised in this service has a text here; a unit test
keeps it so. One block per context: add your codes inside your context's block.
"""

from __future__ import annotations

RUSSIAN: dict[str, str] = {
    # --- generic ------------------------------------------------------------------------------
    "RESOURCE_NOT_FOUND": "Ресурс не найден.",
    # --- submissions --------------------------------------------------------------------------
    "SUBMISSION_NOT_FOUND": "Заявка не найдена.",
    "SUBMISSION_STATUS_CONFLICT": "Заявка в текущем статусе не допускает это действие.",
    "SUBMISSION_FEE_NOT_PAID": "Взнос за заявку не оплачен: отправьте заявку и оплатите взнос.",
    "SUBMISSION_ALREADY_EXISTS": "У игры уже есть незавершённая заявка.",
    "SUBMISSION_CHANGED_CONCURRENTLY": "Заявку одновременно изменил кто-то другой; "
    "прочитайте её заново.",
    "INVALID_PAGE_CURSOR": "Курсор не относится к этому списку: начните с первой страницы.",
    # --- fees ---------------------------------------------------------------------------------
    # --- moderation ---------------------------------------------------------------------------
    # --- voting -------------------------------------------------------------------------------
    # --- results ------------------------------------------------------------------------------
    "RESULTS_NOT_AVAILABLE": "Голосование по заявке ещё не начиналось: результатов пока нет.",
    "VOTING_WINDOW_STATUS_CONFLICT": "Окно голосования в текущем статусе не допускает этот переход.",
}
