"""Every account endpoint answers with every field ../shared/kis-reference.md lists for it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from kisbot.sim.app import Simulator
from tests.kisraw import RawKis

DOMESTIC = "/uapi/domestic-stock/v1/trading"
OVERSEAS = "/uapi/overseas-stock/v1/trading"


def names(text: str) -> set[str]:
    return set(text.replace(",", " ").split())


BALANCE_1 = names("""pdno prdt_name trad_dvsn_name bfdy_buy_qty bfdy_sll_qty thdt_buyqty
    thdt_sll_qty hldg_qty ord_psbl_qty pchs_avg_pric pchs_amt prpr evlu_amt evlu_pfls_amt
    evlu_pfls_rt evlu_erng_rt loan_dt loan_amt stln_slng_chgs expd_dt fltt_rt bfdy_cprs_icdc
    item_mgna_rt_name grta_rt_name sbst_pric stck_loan_unpr""")
BALANCE_2 = names("""dnca_tot_amt nxdy_excc_amt prvs_rcdl_excc_amt cma_evlu_amt bfdy_buy_amt
    thdt_buy_amt nxdy_auto_rdpt_amt bfdy_sll_amt thdt_sll_amt d2_auto_rdpt_amt bfdy_tlex_amt
    thdt_tlex_amt tot_loan_amt scts_evlu_amt tot_evlu_amt nass_amt fncg_gld_auto_rdpt_yn
    pchs_amt_smtl_amt evlu_amt_smtl_amt evlu_pfls_smtl_amt tot_stln_slng_chgs
    bfdy_tot_asst_evlu_amt asst_icdc_amt asst_icdc_erng_rt""")
CCLD_1 = names("""ord_dt ord_gno_brno odno orgn_odno ord_dvsn_name sll_buy_dvsn_cd
    sll_buy_dvsn_cd_name pdno prdt_name ord_qty ord_unpr ord_tmd tot_ccld_qty avg_prvs cncl_yn
    tot_ccld_amt loan_dt ordr_empno ord_dvsn_cd cnc_cfrm_qty rmn_qty rjct_qty ccld_cndt_name
    inqr_ip_addr cpbc_ordp_ord_rcit_dvsn_cd cpbc_ordp_infm_mthd_dvsn_cd infm_tmd ctac_tlno
    prdt_type_cd excg_dvsn_cd cpbc_ordp_mtrl_dvsn_cd ord_orgno rsvn_ord_end_dt excg_id_dvsn_cd
    stpm_cndt_pric stpm_efct_occr_dtmd""")
CCLD_2 = names("tot_ord_qty tot_ccld_qty pchs_avg_pric tot_ccld_amt prsm_tlex_smtl")
PSBL_ORDER = names("""ord_psbl_cash ord_psbl_sbst ruse_psbl_amt fund_rpch_chgs psbl_qty_calc_unpr
    nrcvb_buy_amt nrcvb_buy_qty max_buy_amt max_buy_qty cma_evlu_amt ovrs_re_use_amt_wcrc
    ord_psbl_frcr_amt_wcrc""")
PSBL_SELL = names("""pdno buy_qty sll_qty cblc_qty nsvg_qty ord_psbl_qty pchs_avg_pric pchs_amt
    now_pric evlu_amt evlu_pfls_amt evlu_pfls_rt""")
RVSECNCL = names("""ord_gno_brno odno orgn_odno ord_dvsn_name pdno prdt_name rvse_cncl_dvsn_name
    ord_qty ord_unpr ord_tmd tot_ccld_qty tot_ccld_amt psbl_qty sll_buy_dvsn_cd ord_dvsn_cd
    mgco_aptm_odno excg_dvsn_cd excg_id_dvsn_cd excg_id_dvsn_name stpm_cndt_pric
    stpm_efct_occr_yn""")
PERIOD_1 = names("trad_dt buy_amt sll_amt rlzt_pfls fee loan_int tl_tax pfls_rt sll_qty1 buy_qty1")
PERIOD_2 = names("""sll_qty_smtl sll_tr_amt_smtl sll_fee_smtl sll_tltx_smtl sll_excc_amt_smtl
    buy_qty_smtl buy_tr_amt_smtl buy_fee_smtl buy_tax_smtl buy_excc_amt_smtl tot_qty tot_tr_amt
    tot_fee tot_tltx tot_excc_amt tot_rlzt_pfls loan_int""")
ORDER_OUT = names("KRX_FWDG_ORD_ORGNO ODNO ORD_TMD")
US_BALANCE_1 = names("""cano acnt_prdt_cd prdt_type_cd ovrs_pdno ovrs_item_name frcr_evlu_pfls_amt
    evlu_pfls_rt pchs_avg_pric ovrs_cblc_qty ord_psbl_qty frcr_pchs_amt1 ovrs_stck_evlu_amt
    now_pric2 tr_crcy_cd ovrs_excg_cd loan_type_cd loan_dt expd_dt""")
US_BALANCE_2 = names("""frcr_pchs_amt1 ovrs_rlzt_pfls_amt ovrs_tot_pfls rlzt_erng_rt
    tot_evlu_pfls_amt tot_pftrt frcr_buy_amt_smtl1 ovrs_rlzt_pfls_amt2 frcr_buy_amt_smtl2""")
PRESENT_1 = names("""cblc_qty13 thdt_buy_ccld_qty1 thdt_sll_ccld_qty1 ccld_qty_smtl1 ord_psbl_qty1
    frcr_pchs_amt frcr_evlu_amt2 evlu_pfls_amt2 evlu_pfls_rt1 pdno prdt_name bass_exrt
    buy_crcy_cd ovrs_now_pric1 avg_unpr3 tr_mket_name natn_kor_name pchs_rmnd_wcrc_amt
    thdt_buy_ccld_frcr_amt thdt_sll_ccld_frcr_amt unit_amt std_pdno prdt_type_cd loan_rmnd
    loan_dt loan_expd_dt ovrs_excg_cd item_lnkg_excg_cd""")
PRESENT_2 = names("""crcy_cd frcr_buy_amt_smtl frcr_sll_amt_smtl frcr_dncl_amt_2 frst_bltn_exrt
    frcr_buy_mgn_amt frcr_etc_mgna frcr_drwg_psbl_amt_1 frcr_evlu_amt2 acpl_cstd_crcy_yn
    nxdy_frcr_drwg_psbl_amt""")
PRESENT_3 = names("""pchs_amt_smtl evlu_amt_smtl evlu_pfls_amt_smtl dncl_amt cma_evlu_amt
    tot_dncl_amt etc_mgna wdrw_psbl_tot_amt frcr_evlu_tota evlu_erng_rt1 pchs_amt_smtl_amt
    evlu_amt_smtl_amt tot_evlu_pfls_amt tot_asst_amt buy_mgn_amt mgna_tota frcr_use_psbl_amt
    ustl_sll_amt_smtl ustl_buy_amt_smtl tot_frcr_cblc_smtl tot_loan_amt""")
US_CCNL = names("""ord_dt ord_gno_brno odno orgn_odno sll_buy_dvsn_cd sll_buy_dvsn_cd_name
    rvse_cncl_dvsn rvse_cncl_dvsn_name pdno prdt_name ft_ord_qty ft_ord_unpr3 ft_ccld_qty
    ft_ccld_unpr3 ft_ccld_amt3 nccs_qty prcs_stat_name rjct_rson rjct_rson_name ord_tmd
    tr_mket_name tr_crcy_cd tr_natn ovrs_excg_cd tr_natn_name dmst_ord_dt thco_ord_tmd
    loan_type_cd loan_dt mdia_dvsn_name usa_amk_exts_rqst_yn splt_buy_attr_name""")
US_NCCS = names("""ord_dt ord_gno_brno odno orgn_odno pdno prdt_name sll_buy_dvsn_cd
    rvse_cncl_dvsn_cd rjct_rson ord_tmd tr_crcy_cd natn_cd ft_ord_qty ft_ccld_qty nccs_qty
    ft_ord_unpr3 ft_ccld_unpr3 ft_ccld_amt3 ovrs_excg_cd loan_type_cd loan_dt
    usa_amk_exts_rqst_yn""")
PSAMOUNT = names("""tr_crcy_cd ord_psbl_frcr_amt sll_ruse_psbl_amt ovrs_ord_psbl_amt
    max_ord_psbl_qty
    echm_af_ord_psbl_amt echm_af_ord_psbl_qty ord_psbl_qty exrt frcr_ord_psbl_amt1
    ovrs_max_ord_psbl_qty""")


def has(row: dict[str, Any], expected: set[str]) -> None:
    assert expected <= set(row), sorted(expected - set(row))
    assert all(isinstance(row[k], str) for k in expected), row


async def test_domestic_account_answers_carry_every_listed_field(
    real: RawKis, sim: Simulator
) -> None:
    today = date.today().strftime("%Y%m%d")
    last = sim.exchange.state("005930").last
    order = {
        "PDNO": "005930",
        "ORD_DVSN": "01",
        "ORD_QTY": "2",
        "ORD_UNPR": "0",
        "EXCG_ID_DVSN_CD": "KRX",
        "SLL_TYPE": "",
        "CNDT_PRIC": "",
    }
    has(
        (await real.post_ok(f"{DOMESTIC}/order-cash", "TTTC0012U", real.acct(**order)))["output"],
        ORDER_OUT,
    )
    await real.post_ok(
        f"{DOMESTIC}/order-cash",
        "TTTC0011U",
        real.acct(**{**order, "ORD_QTY": "1", "SLL_TYPE": "01"}),
    )
    await real.post_ok(
        f"{DOMESTIC}/order-cash",
        "TTTC0012U",
        real.acct(**{**order, "ORD_DVSN": "00", "ORD_UNPR": str(last - 1_000)}),
    )

    balance = await real.ok(f"{DOMESTIC}/inquire-balance", "TTTC8434R", real.balance_params())
    has(balance["output1"][0], BALANCE_1)
    has(balance["output2"][0], BALANCE_2)
    ccld = await real.ok(
        f"{DOMESTIC}/inquire-daily-ccld",
        "TTTC0081R",
        real.acct(
            INQR_STRT_DT=today,
            INQR_END_DT=today,
            SLL_BUY_DVSN_CD="00",
            PDNO="",
            CCLD_DVSN="00",
            INQR_DVSN="00",
            INQR_DVSN_3="00",
            ORD_GNO_BRNO="",
            ODNO="",
            INQR_DVSN_1="",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        ),
    )
    assert len(ccld["output1"]) == 3
    for row in ccld["output1"]:
        has(row, CCLD_1)
    has(ccld["output2"], CCLD_2)
    psbl = await real.ok(
        f"{DOMESTIC}/inquire-psbl-order",
        "TTTC8908R",
        real.acct(
            PDNO="005930",
            ORD_UNPR=str(last),
            ORD_DVSN="00",
            CMA_EVLU_AMT_ICLD_YN="N",
            OVRS_ICLD_YN="N",
        ),
    )
    has(psbl["output"], PSBL_ORDER)
    sell = await real.ok(f"{DOMESTIC}/inquire-psbl-sell", "TTTC8408R", real.acct(PDNO="005930"))
    has(sell["output"], PSBL_SELL)
    assert sell["output"]["ord_psbl_qty"] == "1"
    pending = await real.ok(
        f"{DOMESTIC}/inquire-psbl-rvsecncl",
        "TTTC0084R",
        real.acct(INQR_DVSN_1="0", INQR_DVSN_2="0", CTX_AREA_FK100="", CTX_AREA_NK100=""),
    )
    has(pending["output"][0], RVSECNCL)
    profit = await real.ok(
        f"{DOMESTIC}/inquire-period-profit",
        "TTTC8708R",
        real.acct(
            INQR_STRT_DT=today,
            INQR_END_DT=today,
            SORT_DVSN="00",
            INQR_DVSN="00",
            CBLC_DVSN="00",
            PDNO="",
            CTX_AREA_FK100="",
            CTX_AREA_NK100="",
        ),
    )
    has(profit["output1"][0], PERIOD_1)
    has(profit["output2"], PERIOD_2)


async def test_overseas_account_answers_carry_every_listed_field(
    real: RawKis, sim: Simulator
) -> None:
    today = date.today().strftime("%Y%m%d")
    ask = sim.exchange.book("AAPL").asks[0].price
    order = real.acct(
        OVRS_EXCG_CD="NASD",
        PDNO="AAPL",
        ORD_QTY="2",
        OVRS_ORD_UNPR=str(ask),
        CTAC_TLNO="",
        MGCO_APTM_ODNO="",
        SLL_TYPE="",
        ORD_SVR_DVSN_CD="0",
        ORD_DVSN="00",
    )
    has((await real.post_ok(f"{OVERSEAS}/order", "TTTT1002U", order))["output"], ORDER_OUT)
    await real.post_ok(
        f"{OVERSEAS}/order", "TTTT1002U", {**order, "OVRS_ORD_UNPR": str(ask - Decimal(5))}
    )

    balance = await real.ok(
        f"{OVERSEAS}/inquire-balance",
        "TTTS3012R",
        real.acct(OVRS_EXCG_CD="NASD", TR_CRCY_CD="USD", CTX_AREA_FK200="", CTX_AREA_NK200=""),
    )
    has(balance["output1"][0], US_BALANCE_1)
    has(balance["output2"], US_BALANCE_2)
    present = await real.ok(
        f"{OVERSEAS}/inquire-present-balance",
        "CTRP6504R",
        real.acct(WCRC_FRCR_DVSN_CD="02", NATN_CD="840", TR_MKET_CD="00", INQR_DVSN_CD="00"),
    )
    has(present["output1"][0], PRESENT_1)
    has(present["output2"][0], PRESENT_2)
    has(present["output3"], PRESENT_3)
    ccnl = await real.ok(
        f"{OVERSEAS}/inquire-ccnl",
        "TTTS3035R",
        real.acct(
            PDNO="%",
            ORD_STRT_DT="19000101",
            ORD_END_DT=today.replace(today[:4], "2999"),
            SLL_BUY_DVSN="00",
            CCLD_NCCS_DVSN="00",
            OVRS_EXCG_CD="%",
            SORT_SQN="DS",
            ORD_DT="",
            ORD_GNO_BRNO="",
            ODNO="",
            CTX_AREA_NK200="",
            CTX_AREA_FK200="",
        ),
    )
    assert len(ccnl["output"]) == 2
    has(ccnl["output"][0], US_CCNL)
    nccs = await real.ok(
        f"{OVERSEAS}/inquire-nccs",
        "TTTS3018R",
        real.acct(OVRS_EXCG_CD="NASD", SORT_SQN="", CTX_AREA_FK200="", CTX_AREA_NK200=""),
    )
    has(nccs["output"][0], US_NCCS)
    amount = await real.ok(
        f"{OVERSEAS}/inquire-psamount",
        "TTTS3007R",
        real.acct(OVRS_EXCG_CD="NASD", OVRS_ORD_UNPR=str(ask), ITEM_CD="AAPL"),
    )
    has(amount["output"], PSAMOUNT)
