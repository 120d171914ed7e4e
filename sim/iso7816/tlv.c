/* placeholder: being written */
typedef int mynasim_placeholder_tlv;
