internal import CRdKafka
